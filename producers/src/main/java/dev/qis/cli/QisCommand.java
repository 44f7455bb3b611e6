package dev.qis.cli;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;
import dev.qis.protocol.ProtocolException;
import dev.qis.registry.RegistryException;
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
     * A command line with the exit-code conventions: every error line starts with its reason code
     * ({@code qis: MISSING_FIELD: ...}, {@code qis: INVALID_FIELD: ...}, as dead-letter records name theirs); usage,
     * input and protocol errors exit 2, failures at run time exit 1 (the stack trace with {@code QIS_DEBUG=1}).
     */
    public static CommandLine commandLine(Object root) {
        CommandLine cli = new CommandLine(root);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (System.getenv("QIS_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.println(commandLine.getColorScheme().errorText("qis: " + errorLine(e)));
            return exitCode(e);
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine commandLine = e.getCommandLine();
            PrintWriter err = commandLine.getErr();
            err.println(commandLine.getColorScheme().errorText("qis: " + Reason.INVALID_OPTION + ": " + e.getMessage()));
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                commandLine.usage(err, commandLine.getColorScheme());
            }
            return EXIT_USAGE;
        });
        return cli;
    }

    /** What the error line says after {@code qis: }: the reason code, then the message. */
    static String errorLine(Exception e) {
        if (e instanceof QisException q) {
            return q.reason() + ": " + q.getMessage();
        }
        if (e instanceof ProtocolException) {
            return e.getMessage(); // it starts with the protocol's reason code
        }
        if (e instanceof RegistryException r) {
            return r.reason() + ": " + r.getMessage(); // the message names the registry
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static int exitCode(Exception e) {
        if (e instanceof QisException q) {
            return q.exitCode();
        }
        return e instanceof ProtocolException ? EXIT_USAGE : EXIT_FAILURE;
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
