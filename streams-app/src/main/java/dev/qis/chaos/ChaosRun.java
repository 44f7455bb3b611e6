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
     * {@code publishFirst}: publish every packet, and wait until the outputs agree, before the first kill (the kills
     * then come without load). {@code freshIngest}: afterwards, stop both instances and time one fresh instance (a
     * new application id, empty state) ingesting the same inputs, to compare with the convergence after the kills.
     */
    public record Settings(int packets, int publishers, int voters, int appKills, int brokerKills,
                           Duration killInterval, Duration downtime, Duration batchPause, Duration convergeTimeout,
                           String bootstrapServers,
                           Path workDir, Map<String, String> appSettings, Path appJar, long seed,
                           boolean publishFirst, boolean freshIngest) {
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
            AnswerProbe probe = new AnswerProbe(instances,
                    List.of("/v1/domains/" + ChaosGenerator.TASKS.get(0) + "/top?k=1", "/v1/domains"));
            Thread probeThread = new Thread(probe, "qis-chaos-probe");
            probeThread.setDaemon(true);
            probeThread.start();

            ChaosVerifier verifier = new ChaosVerifier(bootstrap, ledger);
            if (s.publishFirst()) {
                generator.run(s.packets(), () -> false, s.batchPause());
                List<String> pending = awaitAgreement(verifier, verifier.expectation(), instances.get(0),
                        System.nanoTime() + s.convergeTimeout().toNanos(), progress);
                if (!pending.isEmpty()) {
                    throw new IllegalStateException("the outputs did not agree with the inputs before the kills: "
                            + pending.get(0));
                }
                progress.accept("everything published and agreed; the kills come without load");
            }
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
            if (!s.publishFirst()) {
                generator.run(s.packets(), () -> !chaosDone.get(), s.batchPause());
            }
            monkey.join();
            if (chaosFailure.get() != null) {
                throw chaosFailure.get();
            }
            long publishedAt = System.nanoTime();

            ChaosVerifier.Expectation expected = verifier.expectation();
            progress.accept("inputs: " + expected.accepted.size() + " distinct honest packets, "
                    + expected.badHashes.size() + " forged or tampered, votes on " + expected.latestVotes.size()
                    + " packets, citations of " + expected.citingPackets.size() + " packets");
            List<String> differences = awaitAgreement(verifier, expected, instances.get(0),
                    publishedAt + s.convergeTimeout().toNanos(), progress);
            probe.stop();
            figures.add(String.format("converged %.1f s after the last %s", (System.nanoTime() - publishedAt) / 1e9,
                    s.publishFirst() ? "restart" : "publish"));
            probe.summaries().forEach(line -> figures.add("answers during the run, " + line));
            figures.add(expected.accepted.size() + " packets stored once, " + expected.routedCount
                    + " of them routed once; " + expected.badHashes.size() + " forged or tampered dead-lettered once per"
                    + " committed input;"
                    + " vote tallies of " + expected.latestVotes.size() + " packets and citation counts of "
                    + expected.citingPackets.size() + " packets equal the inputs'");
            if (s.freshIngest() && differences.isEmpty()) {
                figures.add(freshIngest(s, env, classPath, work, verifier, expected, instances, progress));
            }
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

    /** Checks every 5 s until the outputs agree with the inputs or the deadline passes; the last differences. */
    private static List<String> awaitAgreement(ChaosVerifier verifier, ChaosVerifier.Expectation expected,
                                               AppInstance api, long deadline, Consumer<String> progress)
            throws InterruptedException {
        while (true) {
            List<String> differences = verifier.differences(expected, api, 50);
            if (differences.isEmpty() || System.nanoTime() > deadline) {
                return differences;
            }
            progress.accept("verifier: " + differences.size() + " differences so far (first: "
                    + differences.get(0) + "); checking again");
            Thread.sleep(5000);
        }
    }

    /**
     * The yardstick for convergence: with both instances stopped, one instance under a new application id and on an
     * empty state directory reads the same committed inputs from the start; timed from its start until its REST
     * answers agree with the inputs (per-domain counts, every packet's elections, 404 for every forgery). Its
     * outputs on the shared topics are not checked: they are a second copy by design.
     */
    private static String freshIngest(Settings s, Map<String, String> env, String classPath, Path work,
                                      ChaosVerifier verifier, ChaosVerifier.Expectation expected,
                                      List<AppInstance> instances, Consumer<String> progress) throws Exception {
        for (AppInstance i : instances) {
            i.stop();
        }
        Map<String, String> freshEnv = new LinkedHashMap<>(env);
        freshEnv.put("QIS_APPLICATION_ID", env.get("QIS_APPLICATION_ID") + "-fresh");
        AppInstance fresh = new AppInstance("fresh", freePorts(1)[0], work, freshEnv, classPath);
        instances.add(fresh);
        progress.accept("fresh ingest: starting one instance with empty state on the same inputs");
        long start = System.nanoTime();
        fresh.start();
        long deadline = start + s.convergeTimeout().toNanos();
        List<String> differences;
        while (true) {
            differences = fresh.isRunning() && fresh.status("/v1/domains") == 200
                    ? verifier.restDifferences(expected, fresh, 5) : List.of("not answering yet");
            if (differences.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(1000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return differences.isEmpty()
                ? String.format("fresh ingest: one instance on empty state agreed %.1f s after its start", seconds)
                : String.format("fresh ingest: not agreed after %.1f s (%s)", seconds, differences.get(0));
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
