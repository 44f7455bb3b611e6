package dev.qis.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Where the launcher's log lines go, decided from the command line before the first logger exists: the console gets
 * the app's own lines (loggers under {@code dev.qis}), a file gets everything, Kafka's internals included; with
 * {@code --verbose} Kafka's warnings and errors reach the console too. the launcher's {@code log4j2.properties} (streams-app)
 * reads the two system properties set here.
 */
public final class LogSetup {
    /** The log file's path. */
    public static final String FILE_PROPERTY = "qis.log.file";
    /** The least level of Kafka's own lines on the console: {@code OFF}, or {@code WARN} with {@code --verbose}. */
    public static final String CONSOLE_INTERNAL_PROPERTY = "qis.log.console.internal";
    /** Environment variable naming the log file, below {@code --log-file}. */
    public static final String ENV_LOG_FILE = "QIS_LOG_FILE";
    static final String VERBOSE = "--verbose";
    /** Commands that run until stopped, each instance with a log file of its own. */
    static final Set<String> LONG_RUNNING = Set.of("demo", "serve", "broker", "bridge", "subscribe");
    static final String LOG_FILE = "--log-file";

    private LogSetup() {
    }

    /** Sets the properties from {@code args} and {@code env}, unless the JVM was started with them already. */
    public static void configure(String[] args, Map<String, String> env) {
        if (System.getProperty(FILE_PROPERTY) == null) {
            System.setProperty(FILE_PROPERTY, chooseFile(args, env).toString());
        }
        if (System.getProperty(CONSOLE_INTERNAL_PROPERTY) == null) {
            System.setProperty(CONSOLE_INTERNAL_PROPERTY, verbose(args) ? "WARN" : "OFF");
        }
    }

    /**
     * The log file of this process: {@code --log-file}, else {@code QIS_LOG_FILE}, else in {@code qis-logs/} of the
     * temporary directory one per process for the long-running commands (several may run at once) and one per command,
     * appended to, for the short ones.
     */
    static Path chooseFile(String[] args, Map<String, String> env) {
        String given = optionValue(args, LOG_FILE);
        if (given == null || given.isBlank()) {
            given = env.get(ENV_LOG_FILE);
        }
        if (given != null && !given.isBlank()) {
            return Path.of(given).toAbsolutePath();
        }
        String command = "qis";
        for (String a : args) {
            if ("--".equals(a)) {
                break;
            }
            if (!a.startsWith("-")) {
                command = a.replaceAll("[^A-Za-z0-9_-]", "_");
                break;
            }
        }
        String name = LONG_RUNNING.contains(command) ? command + "-" + ProcessHandle.current().pid() : command;
        return Path.of(System.getProperty("java.io.tmpdir"), "qis-logs", name + ".log");
    }

    /** The log file this process writes (where the launcher's start-up line says to look). */
    public static Path logFile() {
        String file = System.getProperty(FILE_PROPERTY);
        return file != null ? Path.of(file) : Path.of(System.getProperty("java.io.tmpdir"), "qis-logs", "qis.log");
    }

    /** Whether Kafka's own warnings reach the console. */
    public static boolean internalsOnConsole() {
        return !"OFF".equalsIgnoreCase(System.getProperty(CONSOLE_INTERNAL_PROPERTY, "OFF"));
    }

    /** The start-up line that says where Kafka's own lines went. */
    public static String whereTheLogsAre() {
        return internalsOnConsole()
                ? "Kafka's own log lines: " + logFile() + " (its warnings and errors also here, --verbose)"
                : "Kafka's own log lines: " + logFile() + " (--verbose shows its warnings and errors here)";
    }

    private static boolean verbose(String[] args) {
        for (String a : args) {
            if ("--".equals(a)) {
                return false;
            }
            if (VERBOSE.equals(a)) {
                return true;
            }
        }
        return false;
    }

    private static String optionValue(String[] args, String name) {
        for (int i = 0; i < args.length; i++) {
            if ("--".equals(args[i])) {
                return null;
            }
            if (args[i].equals(name) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(name + "=")) {
                return args[i].substring(name.length() + 1);
            }
        }
        return null;
    }
}
