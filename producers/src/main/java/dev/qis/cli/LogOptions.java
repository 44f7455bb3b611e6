package dev.qis.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --verbose} and {@code --log-file} of the long-running commands. {@link LogSetup} reads them from the
 * command line before anything logs; these fields only declare and document them.
 */
public final class LogOptions {
    @Option(names = LogSetup.VERBOSE,
            description = "Also show Kafka's own warnings and errors on the console (they always go to the log file).")
    boolean verbose;

    @Option(names = LogSetup.LOG_FILE, paramLabel = "FILE",
            description = "Write the log, Kafka's internals included, to FILE (default: $" + LogSetup.ENV_LOG_FILE
                    + ", else qis-logs/<command>-<pid>.log in the temporary directory).")
    Path logFile;
}
