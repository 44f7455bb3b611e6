package dev.qis.cli;

import dev.qis.protocol.FieldRules;
import dev.qis.protocol.Fingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis fingerprint}: the address of a context, the prefix of every packet id published for it. */
@Command(name = "fingerprint", mixinStandardHelpOptions = true,
        description = {"Print the fingerprint of a context: 16 hex of SHA-256(family|task|['tag', ...]).",
            "Packets for this context go to qis.outcomes.<first hex char> and their ids start with it."})
public final class FingerprintCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--family"}, required = true, description = "base model family, e.g. llama-3-8b")
    String family;

    @Option(names = {"-t", "--task"}, required = true, description = "task (the domain), lower case, e.g. clinical-note-summarization")
    String task;

    @Option(names = "--tag", description = "a context tag; repeat for several (order does not matter)")
    List<String> tags = new ArrayList<>();

    @Override
    public Integer call() {
        FieldRules.checkName("base_model_family", family);
        FieldRules.checkTask(task);
        FieldRules.checkTags(tags);
        spec.commandLine().getOut().println(Fingerprint.of(family, task, tags).value());
        return QisCommand.EXIT_OK;
    }
}
