package dev.qis.cli;

import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.publish.QisPublisher;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis vote}: reports what this node observed when it applied a packet (a VOTE). */
@Command(name = "vote", mixinStandardHelpOptions = true,
        description = {"Sign and send a validation report to " + Topics.VOTES + ", keyed by the packet's fingerprint.",
            "The vote succeeds when the observed gain is at least half the claimed gain. Prints the report id."})
public final class VoteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Mixin
    KeyOptions key;
    @Mixin
    TopicOptions topics;

    @Option(names = "--packet", required = true, paramLabel = "ID", description = "the id of the packet you applied")
    String packetId;

    @Option(names = "--observed", required = true, paramLabel = "SCORE", description = "the score you observed on your own held-out eval")
    double observed;

    @Option(names = "--n-eval", required = true, paramLabel = "N", description = "how many samples your eval had")
    int nEval;

    @Option(names = "--baseline", paramLabel = "SCORE",
            description = "your own baseline score (default: the packet's baseline is used when scoring the vote)")
    Double baseline;

    @Override
    public Integer call() {
        if (!PacketId.isValid(packetId)) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--packet: not a packet id (16 hex, '-', 16 hex): '" + packetId + "'");
        }
        NodeIdentity node = key.identity();
        ValidationReportBuilder builder = new ValidationReportBuilder().packetId(packetId).observedScore(observed)
                .nEvalSamples(nEval);
        if (baseline != null) {
            builder.baselineScore(baseline);
        }
        SignedReport report = builder.sign(node);
        try (QisPublisher publisher = QisPublisher.open(client.publisherSettings(topics))) {
            publisher.register(node);
            publisher.publishVote(report);
        }
        spec.commandLine().getOut().println(report.id());
        return QisCommand.EXIT_OK;
    }
}
