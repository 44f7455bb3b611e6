package dev.qis.cli;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.Topics;
import dev.qis.publish.QisPublisher;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis register}: publishes the node's public key so receivers can verify its packets. */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = {"Publish this node's public key on " + Topics.NODES + " (compacted, keyed by node id).",
            "'qis publish' and 'qis vote' do this too before their first record; registering again is harmless."})
public final class RegisterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Mixin
    KeyOptions key;
    @Mixin
    TopicOptions topics;

    @Override
    public Integer call() {
        NodeIdentity node = key.identity();
        try (QisPublisher publisher = QisPublisher.open(client.publisherSettings(topics))) {
            publisher.register(node);
        }
        spec.commandLine().getOut().println(node.nodeId());
        return QisCommand.EXIT_OK;
    }
}
