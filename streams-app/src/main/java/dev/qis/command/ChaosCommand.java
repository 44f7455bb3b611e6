package dev.qis.command;

import dev.qis.chaos.ChaosRun;
import dev.qis.cli.DurationConverter;
import dev.qis.cli.InputException;
import dev.qis.cli.LogOptions;
import dev.qis.cli.QisCommand;
import dev.qis.errors.Reason;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qis chaos}: the exactly-once harness ({@link ChaosRun}) from the command line. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Publish a known stream of signed packets, votes, citations and forgeries while two qis serve "
                + "instances (num.standby.replicas=1) and one broker are killed with SIGKILL and started again; then "
                + "read everything back (read_committed topics and the REST API) and compare.",
            "Prints ALL-RECORDS-DELIVERED and exits 0 when every accepted packet is stored and routed at most once, "
                + "every forgery dead-lettered once and never routed, and every vote tally and citation count equals "
                + "the inputs'; otherwise prints each difference and exits 1. Progress goes to standard error.",
            "Without -b it starts 3 brokers and a controller as separate processes (loopback only)."})
public final class ChaosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LogOptions logOptions;

    @Option(names = "--packets", defaultValue = "1000", description = "At least this many packets (default ${DEFAULT-VALUE}).")
    int packets;

    @Option(names = "--publishers", defaultValue = "6", description = "Publishing nodes (default ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = "--voters", defaultValue = "10", description = "Voting nodes (default ${DEFAULT-VALUE}).")
    int voters;

    @Option(names = "--app-kills", defaultValue = "5", description = "SIGKILLs of a qis serve instance (default ${DEFAULT-VALUE}).")
    int appKills;

    @Option(names = "--broker-kills", defaultValue = "1", description = "SIGKILLs of a broker, 0 or 1 (default ${DEFAULT-VALUE}).")
    int brokerKills;

    @Option(names = "--kill-interval", defaultValue = "30s", converter = DurationConverter.class,
            description = "Time between kills (default ${DEFAULT-VALUE}).")
    Duration killInterval;

    @Option(names = "--downtime", defaultValue = "5s", converter = DurationConverter.class,
            description = "How long a killed process stays down (default ${DEFAULT-VALUE}).")
    Duration downtime;

    @Option(names = "--batch-pause", defaultValue = "1s", converter = DurationConverter.class,
            description = "Pause between two batches of 20 packets, 10 votes and a forgery (default ${DEFAULT-VALUE}).")
    Duration batchPause;

    @Option(names = "--converge-timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long the outputs may take to match after the last publish (default ${DEFAULT-VALUE}).")
    Duration convergeTimeout;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = "Use this cluster instead of starting broker processes (then --broker-kills 0).")
    String bootstrapServers;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the instances' state and logs go (default: a new temporary directory).")
    Path workDir;

    @Option(names = "--app-setting", paramLabel = "QIS_NAME=VALUE",
            description = "An environment setting of both instances (repeatable), e.g. QIS_SESSION_TIMEOUT_MS=10000.")
    Map<String, String> appSettings = new LinkedHashMap<>();

    @Option(names = "--app-jar", paramLabel = "QIS_JAR",
            description = "Run the qis serve instances from this qis.jar (another build, to compare its figures).")
    Path appJar;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated stream (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--publish-first",
            description = "Publish every packet and wait until the outputs agree before the first kill: kills without load.")
    boolean publishFirst;

    @Option(names = "--fresh-ingest",
            description = "Afterwards, time one instance on empty state ingesting the same inputs (the yardstick for convergence).")
    boolean freshIngest;

    @Override
    public Integer call() throws Exception {
        if (bootstrapServers != null && brokerKills > 0) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--broker-kills needs the harness's own broker processes: leave out -b, or"
                    + " give --broker-kills 0");
        }
        if (appJar != null && !Files.isRegularFile(appJar)) {
            throw new InputException(Reason.FILE_UNREADABLE, "--app-jar " + appJar + " is not a file");
        }
        ChaosRun.Settings settings;
        try {
            settings = new ChaosRun.Settings(packets, publishers, voters, appKills, brokerKills, killInterval,
                    downtime, batchPause, convergeTimeout, bootstrapServers, workDir, appSettings, appJar, seed,
                    publishFirst, freshIngest);
        } catch (IllegalArgumentException e) {
            throw new InputException(Reason.INVALID_OPTION, e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        ChaosRun.Result result = ChaosRun.run(settings, line -> {
            err.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + line);
            err.flush();
        });
        PrintWriter out = spec.commandLine().getOut();
        result.figures().forEach(f -> out.println("# " + f));
        if (result.delivered()) {
            out.println(ChaosRun.DELIVERED);
        } else {
            result.differences().forEach(out::println);
        }
        out.flush();
        return result.delivered() ? QisCommand.EXIT_OK : QisCommand.EXIT_FAILURE;
    }
}
