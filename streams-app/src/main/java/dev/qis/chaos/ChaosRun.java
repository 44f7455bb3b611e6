package dev.qis.chaos;

import dev.qis.embedded.EmbeddedKafka;
import dev.qis.embedded.KRaftProcesses;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The exactly-once chaos harness, shaped like Kafka's own EOS test driver: a generator publishes a known stream while
 * app instances (and, on a cluster of broker processes, one broker) are killed with SIGKILL and started again; then a
 * verifier reads everything back and compares it with what the inputs say it must be.
 */
public final class ChaosRun {
    /** The line a run that found nothing wrong prints. */
    public static final String DELIVERED = "ALL-RECORDS-DELIVERED";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final int BROKERS = 3;
    /** The broker killed once: never the controller (node 0). */
    private static final int BROKER_VICTIM = 2;

    /**
     * What to run: at least {@code packets} packets from {@code publishers} nodes with votes from {@code voters},
     * {@code appKills} SIGKILLs of the two instances (alternating) and {@code brokerKills} of one broker, one kill
     * every {@code killInterval}, each victim started again after {@code downtime}; a batch of 20 packets, 10 votes
     * and a forgery every {@code batchPause}. {@code bootstrapServers} null:
     * the run starts 3 brokers and a controller as processes of its own; otherwise it uses that cluster and kills no
     * broker. {@code appSettings}: {@code QIS_*} environment of both instances, over the harness's own.
     * {@code appJar}: run the instances from this {@code qis.jar} (another build, to compare); null: this one.
     */
    public record Settings(int packets, int publishers, int voters, int appKills, int brokerKills,
                           Duration killInterval, Duration downtime, Duration batchPause, Duration convergeTimeout,
                           String bootstrapServers,
                           Path workDir, Map<String, String> appSettings, Path appJar, long seed) {
        public Settings {
            appSettings = Map.copyOf(appSettings);
            if (bootstrapServers != null && brokerKills > 0) {
                throw new IllegalArgumentException("broker kills need the run's own broker processes: give no"
                        + " bootstrap servers, or 0 broker kills");
            }
            if (packets < 1 || publishers < 2 || voters < 1 || appKills < 0 || brokerKills < 0 || brokerKills > 1) {
                throw new IllegalArgumentException("packets >= 1, publishers >= 2, voters >= 1, app kills >= 0 and"
                        + " broker kills 0 or 1");
            }
        }
    }

    /** The outcome: the differences found (none: every record delivered once) and the figures measured. */
    public record Result(List<String> differences, List<String> figures) {
        public boolean delivered() {
            return differences.isEmpty();
        }
    }

    private ChaosRun() {
    }

    public static Result run(Settings s, Consumer<String> progress) throws Exception {
        Path work = s.workDir() != null ? Files.createDirectories(s.workDir())
                : Files.createTempDirectory("qis-chaos-");
        progress.accept("work directory " + work + " (the instances' and brokers' logs are there)");
        KRaftProcesses brokers = null;
        List<AppInstance> instances = new ArrayList<>();
        try {
            String bootstrap = s.bootstrapServers();
            if (bootstrap == null) {
                progress.accept("starting " + BROKERS + " brokers and a controller, each a process of its own");
                brokers = KRaftProcesses.start(BROKERS, EmbeddedKafka.PROCESS_BROKER_SETTINGS, work.resolve("kafka"),
                        List.of("-Dqis.log.file=" + work.resolve("kafka-node-{id}.log")));
                bootstrap = brokers.bootstrapServers();
            }
            PublisherSettings publisherSettings = PublisherSettings.forBootstrap(bootstrap);
            QisPublisher.open(publisherSettings).close(); // the input topics, before the app subscribes to them

            Map<String, String> env = new LinkedHashMap<>();
            env.put("QIS_BOOTSTRAP_SERVERS", bootstrap);
            env.put("QIS_APPLICATION_ID", "qis-chaos-" + Long.toHexString(s.seed()));
            env.put("QIS_NUM_STANDBY_REPLICAS", "1");
            env.putAll(s.appSettings());
            int[] ports = freePorts(2);
            String classPath = s.appJar() != null ? s.appJar().toAbsolutePath().toString()
                    : System.getProperty("java.class.path");
            instances.add(new AppInstance("a", ports[0], work, env, classPath));
            instances.add(new AppInstance("b", ports[1], work, env, classPath));
            progress.accept("starting qis serve a (port " + ports[0] + ") and b (port " + ports[1] + ")");
            for (AppInstance i : instances) {
                i.start();
            }
            for (AppInstance i : instances) {
                i.awaitReady(READY_TIMEOUT);
            }
            progress.accept("both instances ready");

            ChaosLedger ledger = new ChaosLedger();
            ChaosGenerator generator = new ChaosGenerator(publisherSettings, ledger, s.seed(), s.publishers(),
                    s.voters(), m -> progress.accept("generator: " + m));
            AnswerProbe probe = new AnswerProbe(instances, "/v1/domains/" + ChaosGenerator.TASKS.get(0) + "/top?k=1");
            Thread probeThread = new Thread(probe, "qis-chaos-probe");
            probeThread.setDaemon(true);
            probeThread.start();

            AtomicBoolean chaosDone = new AtomicBoolean(false);
            AtomicReference<Exception> chaosFailure = new AtomicReference<>();
            List<String> figures = new ArrayList<>();
            KRaftProcesses cluster = brokers;
            Thread monkey = new Thread(() -> {
                try {
                    killAndRestart(s, instances, cluster, progress, figures);
                } catch (Exception e) {
                    chaosFailure.set(e);
                } finally {
                    chaosDone.set(true);
                }
            }, "qis-chaos-monkey");
            monkey.setDaemon(true);
            monkey.start();
            generator.run(s.packets(), () -> !chaosDone.get(), s.batchPause());
            monkey.join();
            if (chaosFailure.get() != null) {
                throw chaosFailure.get();
            }
            long publishedAt = System.nanoTime();

            ChaosVerifier verifier = new ChaosVerifier(bootstrap, ledger);
            ChaosVerifier.Expectation expected = verifier.expectation();
            progress.accept("inputs: " + expected.accepted.size() + " distinct honest packets, "
                    + expected.badHashes.size() + " forged or tampered, votes on " + expected.latestVotes.size()
                    + " packets, citations of " + expected.citingPackets.size() + " packets");
            List<String> differences;
            long deadline = publishedAt + s.convergeTimeout().toNanos();
            while (true) {
                differences = verifier.differences(expected, instances.get(0), 50);
                if (differences.isEmpty() || System.nanoTime() > deadline) {
                    break;
                }
                progress.accept("verifier: " + differences.size() + " differences so far (first: "
                        + differences.get(0) + "); checking again");
                Thread.sleep(5000);
            }
            probe.stop();
            figures.add(String.format("converged %.1f s after the last publish",
                    (System.nanoTime() - publishedAt) / 1e9));
            figures.add("answers during the run: " + probe.summary());
            figures.add(expected.accepted.size() + " packets stored once, " + expected.routedCount
                    + " of them routed once; " + expected.badHashes.size() + " forged or tampered dead-lettered once per"
                    + " committed input;"
                    + " vote tallies of " + expected.latestVotes.size() + " packets and citation counts of "
                    + expected.citingPackets.size() + " packets equal the inputs'");
            return new Result(differences, figures);
        } finally {
            for (AppInstance i : instances) {
                i.stop();
            }
            if (brokers != null) {
                brokers.close();
            }
        }
    }

    /** The kills, one every interval: app instances alternately, and the broker once, halfway through. */
    private static void killAndRestart(Settings s, List<AppInstance> instances, KRaftProcesses brokers,
                                       Consumer<String> progress, List<String> figures) throws Exception {
        int events = s.appKills() + s.brokerKills();
        int brokerAt = s.brokerKills() > 0 ? events / 2 : -1;
        int appKill = 0;
        for (int e = 0; e < events; e++) {
            Thread.sleep(s.killInterval().toMillis());
            if (e == brokerAt) {
                progress.accept("chaos: kill -9 broker " + BROKER_VICTIM);
                brokers.kill(BROKER_VICTIM);
                Thread.sleep(s.downtime().toMillis());
                long t = System.nanoTime();
                brokers.startNode(BROKER_VICTIM);
                progress.accept(String.format("chaos: broker %d back after %.1f s", BROKER_VICTIM,
                        (System.nanoTime() - t) / 1e9 + s.downtime().toSeconds()));
                continue;
            }
            AppInstance victim = instances.get(appKill % instances.size());
            appKill++;
            progress.accept("chaos: kill -9 qis serve " + victim.name() + " (" + appKill + "/" + s.appKills() + ")");
            victim.kill();
            Thread.sleep(s.downtime().toMillis());
            long t = System.nanoTime();
            victim.start();
            victim.awaitReady(READY_TIMEOUT);
            String line = String.format("qis serve %s ready %.1f s after its restart", victim.name(),
                    (System.nanoTime() - t) / 1e9);
            figures.add(line);
            progress.accept("chaos: " + line);
        }
    }

    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
