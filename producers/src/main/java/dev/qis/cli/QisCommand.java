package dev.qis.cli;

import dev.qis.adapters.AdapterException;
import dev.qis.protocol.ProtocolException;
import dev.qis.publish.PublishException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code qis} command: publishes, votes and subscribes; the launcher adds simulate, serve, query, demo and the rest. */
@Command(name = "qis",
        mixinStandardHelpOptions = true,
        versionProvider = QisCommand.Version.class,
        description = {"QIS outcome routing on Apache Kafka: share what fine-tuning runs learned, never the data.", ""},
        subcommands = {FingerprintCommand.class, KeygenCommand.class, TokenCommand.class, RegisterCommand.class, PublishCommand.class, BridgeCommand.class, ProduceCommand.class,
            VoteCommand.class, SubscribeCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:runtime failure (broker unreachable, timeout, ...)", "2:usage or input error"})
public final class QisCommand implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /**
     * A command line with the exit-code conventions: protocol and input errors exit 2 with their reason,
     * other failures exit 1 with a one-line message (the stack trace with {@code QIS_DEBUG=1}).
     */
    public static CommandLine commandLine(Object root) {
        CommandLine cli = new CommandLine(root);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (System.getenv("QIS_DEBUG") != null) {
                e.printStackTrace(err);
            }
            if (e instanceof ProtocolException || e instanceof InputException || e instanceof AdapterException) {
                err.println(commandLine.getColorScheme().errorText("qis: " + e.getMessage()));
                return EXIT_USAGE;
            }
            if (e instanceof PublishException) {
                err.println(commandLine.getColorScheme().errorText("qis: " + e.getMessage()));
                return EXIT_FAILURE;
            }
            err.println(commandLine.getColorScheme().errorText("qis: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
            return EXIT_FAILURE;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new QisCommand()).execute(args));
    }

    /** The version from the jar manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = QisCommand.class.getPackage().getImplementationVersion();
            return new String[] {"qis " + (v == null ? "(development build)" : v)};
        }
    }
}
