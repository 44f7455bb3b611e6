package dev.qis.command;

import dev.qis.cli.InputException;
import dev.qis.cli.LogOptions;
import dev.qis.cli.LogSetup;
import dev.qis.cli.QisCommand;
import dev.qis.embedded.EmbeddedKafka;
import dev.qis.embedded.KRaftCluster;
import dev.qis.embedded.KRaftNode;
import dev.qis.embedded.KRaftProcesses;
import dev.qis.errors.Reason;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code qis broker}: an in-process KRaft cluster of one or more brokers, for running several {@code qis serve}
 * instances on one machine without installing Kafka. Not for production: its data is deleted when it stops.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run an in-process Kafka cluster (KRaft: N brokers and one controller) until Ctrl-C.",
            "Prints bootstrap.servers=HOST:PORT,... on standard output once the brokers are ready.",
            "For local experiments only: its data lives in a temporary directory deleted on exit; Kafka's own log "
                + "lines go to the log file (--log-file), not the console.",
            "",
            "With --process every node is a JVM of its own (one controller, N >= 2 brokers, min.insync.replicas 2),",
            "so one broker can be lost alone: 'node ID ROLE pid=PID port=PORT' lines follow the bootstrap line, and",
            "standard input takes one command a line:",
            "  kill ID    SIGKILL the node (as kill -9 PID does)",
            "  stop ID    stop it cleanly",
            "  start ID   start a stopped or killed node again on its own data and ports",
            "  status     the node lines again",
            "Each node's Kafka log is kafka-node-ID.log beside the --log-file."})
public final class BrokerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerCommand.class);


    @Spec
    CommandSpec spec;

    @Mixin
    LogOptions logOptions;

    @Option(names = "--brokers", defaultValue = "1", description = "Number of brokers (default ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--bootstrap-file", paramLabel = "FILE",
            description = "Also write bootstrap.servers=... to FILE (for scripts), removed on exit.")
    Path bootstrapFile;

    @Option(names = "--process", description = "Run the controller and each broker as a separate JVM (needs"
            + " --brokers 2 or more), controlled through standard input (above).")
    boolean process;

    @Override
    public Integer call() throws Exception {
        if (brokers < 1 || brokers > KRaftCluster.MAX_BROKERS) {
            throw new InputException(Reason.INVALID_OPTION,
                    "--brokers must be 1-" + KRaftCluster.MAX_BROKERS + ", got " + brokers);
        }
        if (process) {
            if (brokers < 2) {
                throw new InputException(Reason.INVALID_OPTION,
                        "--process runs 2-" + KRaftCluster.MAX_BROKERS + " brokers beside a"
                        + " controller, got --brokers " + brokers + " (without --process one JVM runs 1 broker)");
            }
            return runProcesses();
        }
        LOG.info(LogSetup.whereTheLogsAre());
        LOG.info("starting {} in-process Kafka broker(s)...", brokers);
        EmbeddedKafka kafka = EmbeddedKafka.start(brokers);
        CountDownLatch stop = stopOnShutdown(kafka, "the brokers", kafka.directory());
        announce(kafka.bootstrapServers());
        LOG.info("{} broker(s) ready at {}; Ctrl-C stops them", brokers, kafka.bootstrapServers());
        stop.await();
        return QisCommand.EXIT_OK;
    }

    /** On Ctrl-C: closes the cluster, deletes the bootstrap file, and counts the returned latch down. */
    private CountDownLatch stopOnShutdown(AutoCloseable cluster, String what, Object directory) {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping {} and deleting {}", what, directory);
            try {
                cluster.close();
                if (bootstrapFile != null) {
                    Files.deleteIfExists(bootstrapFile);
                }
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.getMessage());
            } finally {
                stop.countDown();
            }
        }, "qis-broker-shutdown"));
        return stop;
    }

    private void announce(String bootstrapServers) throws java.io.IOException {
        String line = "bootstrap.servers=" + bootstrapServers;
        if (bootstrapFile != null) {
            Path tmp = bootstrapFile.resolveSibling(bootstrapFile.getFileName() + ".tmp");
            Files.writeString(tmp, line + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, bootstrapFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
    }

    /** The cluster as separate processes, driven by commands on standard input until Ctrl-C or its end. */
    private int runProcesses() throws Exception {
        LOG.info(LogSetup.whereTheLogsAre());
        LOG.info("starting 1 Kafka controller and {} broker(s), each in a JVM of its own...", brokers);
        Path logDir = Path.of(System.getProperty(LogSetup.FILE_PROPERTY)).toAbsolutePath().getParent();
        KRaftProcesses kafka = KRaftProcesses.start(brokers, EmbeddedKafka.PROCESS_BROKER_SETTINGS, null,
                List.of("-D" + LogSetup.FILE_PROPERTY + "=" + logDir.resolve("kafka-node-{id}.log"),
                        "-D" + LogSetup.CONSOLE_INTERNAL_PROPERTY + "=OFF"));
        CountDownLatch stop = stopOnShutdown(kafka, "the Kafka processes", kafka.directory());
        announce(kafka.bootstrapServers());
        PrintWriter out = spec.commandLine().getOut();
        printNodes(kafka, out);
        LOG.info("{} broker process(es) ready at {}; commands on standard input: kill|stop|start ID, status",
                brokers, kafka.bootstrapServers());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.isBlank()) {
                out.println(control(kafka, line.strip()));
                out.flush();
            }
        }
        // standard input closed (a script's or a background run's): keep serving until stopped
        stop.await();
        return QisCommand.EXIT_OK;
    }

    /** One command from standard input, answered with one or more lines; a bad command is answered, not fatal. */
    static String control(KRaftProcesses kafka, String command) {
        String[] words = command.split("\\s+");
        if (words.length == 1 && words[0].equals("status")) {
            java.io.StringWriter s = new java.io.StringWriter();
            printNodes(kafka, new PrintWriter(s));
            return s.toString().stripTrailing();
        }
        if (words.length != 2 || !List.of("kill", "stop", "start").contains(words[0])) {
            return "error: unknown command '" + command + "' (kill ID, stop ID, start ID, status)";
        }
        int id;
        try {
            id = Integer.parseInt(words[1]);
        } catch (NumberFormatException e) {
            return "error: a node id is a number, got '" + words[1] + "'";
        }
        try {
            switch (words[0]) {
                case "kill" -> kafka.kill(id);
                case "stop" -> kafka.stop(id);
                default -> kafka.startNode(id);
            }
        } catch (RuntimeException e) {
            return "error: " + words[0] + " " + id + ": " + e.getMessage();
        }
        LOG.info("node {}: {} done", id, words[0]);
        return nodeLine(kafka, kafka.nodes().stream().filter(n -> n.id() == id).findFirst().orElseThrow());
    }

    private static void printNodes(KRaftProcesses kafka, PrintWriter out) {
        kafka.nodes().forEach(n -> out.println(nodeLine(kafka, n)));
        out.flush();
    }

    private static String nodeLine(KRaftProcesses kafka, KRaftNode.Spec n) {
        String role = n.role().isBroker() ? "broker" : "controller";
        int port = n.role().isBroker() ? n.brokerPort() : n.controllerPort();
        return "node " + n.id() + " " + role + " " + kafka.pid(n.id()).map(p -> "pid=" + p).orElse("stopped")
                + " port=" + port;
    }
}
