package dev.qis.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster of one controller and N brokers, each node a JVM of its own ({@link KRaftNode#main}) started from
 * this JVM's class path, on loopback ports chosen at start and kept across restarts. Any node can be stopped cleanly,
 * killed ({@code SIGKILL}: no shutdown, no flush) and started again on its own data, so tests and the chaos harness
 * can lose a broker the way a machine loses one. The data lives under one directory, deleted on {@link #close()}
 * when this class created it.
 */
public final class KRaftProcesses implements AutoCloseable {
    /** How long a node has to start, and a stopped node to exit. */
    public static final Duration NODE_TIMEOUT = Duration.ofMinutes(2);
    /** Small heaps and a quick compiler: four of these share a laptop with the app and its tests. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");

    private final Path directory;
    private final boolean ownDirectory;
    private final String clusterId;
    private final List<String> jvmOptions;
    /** By node id: the controller (id 0) first, then the brokers 1..N. */
    private final Map<Integer, KRaftNode.Spec> specs = new LinkedHashMap<>();
    private final Map<Integer, Process> processes = new LinkedHashMap<>();

    private KRaftProcesses(Path directory, boolean ownDirectory, String clusterId, List<KRaftNode.Spec> nodes,
                           List<String> jvmOptions) {
        this.directory = directory;
        this.ownDirectory = ownDirectory;
        this.clusterId = clusterId;
        this.jvmOptions = List.copyOf(jvmOptions);
        nodes.forEach(n -> specs.put(n.id(), n));
    }

    /**
     * Starts one controller and {@code brokers} brokers (2-{@value KRaftCluster#MAX_BROKERS}), each in its own JVM,
     * with {@code settings} over the sizing defaults (replication 3 where there are three brokers, min.insync 2), and
     * returns once every broker serves and sees the others. {@code directory} null: a fresh temporary one, deleted on
     * close. {@code jvmOptions} are given to every node's JVM, with {@code {id}} replaced by the node's id (e.g.
     * {@code -Dqis.log.file=/tmp/kafka-{id}.log}).
     *
     * @throws IllegalArgumentException for a number of brokers outside 2-{@value KRaftCluster#MAX_BROKERS}
     * @throws IllegalStateException    when the cluster does not start, with the reason; no process is left running
     */
    public static KRaftProcesses start(int brokers, Map<String, String> settings, Path directory,
                                       List<String> jvmOptions) {
        if (brokers < 2 || brokers > KRaftCluster.MAX_BROKERS) {
            throw new IllegalArgumentException("a cluster of separate processes has 2-" + KRaftCluster.MAX_BROKERS
                    + " brokers beside its controller, got " + brokers);
        }
        boolean own = directory == null;
        Path dir;
        try {
            dir = own ? Files.createTempDirectory("qis-kafka-processes-") : Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the Kafka processes", e);
        }
        Map<String, String> clusterSettings = new LinkedHashMap<>(KRaftCluster.sizingDefaults(brokers));
        clusterSettings.put("min.insync.replicas", Integer.toString(Math.min(2, brokers)));
        clusterSettings.putAll(settings);
        KRaftProcesses cluster;
        try {
            cluster = new KRaftProcesses(dir, own, Uuid.randomUuid().toString(),
                    KRaftCluster.plan(brokers, dir, clusterSettings, KRaftCluster::freePorts), jvmOptions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free loopback ports for the Kafka processes", e);
        }
        try {
            cluster.startNode(KRaftCluster.CONTROLLER_ID);
            for (int id : cluster.brokerIds()) {
                cluster.launch(id);
            }
            for (int id : cluster.brokerIds()) {
                cluster.awaitReady(id);
            }
            cluster.awaitBrokers(Set.copyOf(cluster.brokerIds()));
            return cluster;
        } catch (RuntimeException e) {
            try {
                cluster.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("the Kafka cluster of " + brokers + " broker processes and 1 controller"
                    + " did not start: " + KRaftCluster.reason(e), e);
        }
    }

    /** {@code host:port} of every broker, comma-separated. */
    public String bootstrapServers() {
        return specs.values().stream().filter(s -> s.role().isBroker()).map(KRaftNode.Spec::bootstrapAddress)
                .collect(Collectors.joining(","));
    }

    public Path directory() {
        return directory;
    }

    /** The nodes: the controller (id 0) first, then the brokers. */
    public List<KRaftNode.Spec> nodes() {
        return List.copyOf(specs.values());
    }

    public List<Integer> brokerIds() {
        return specs.values().stream().filter(s -> s.role().isBroker()).map(KRaftNode.Spec::id).toList();
    }

    /** The node's process id while it runs. */
    public synchronized Optional<Long> pid(int id) {
        Process p = processes.get(spec(id).id());
        return p != null && p.isAlive() ? Optional.of(p.pid()) : Optional.empty();
    }

    public synchronized boolean isRunning(int id) {
        return pid(id).isPresent();
    }

    /** The node's console output (Kafka's log lines unless the JVM options send them elsewhere). */
    public Path logFile(int id) {
        return directory.resolve("node-" + spec(id).id() + ".out");
    }

    /** Kills the node with {@code SIGKILL}, as a power cut would, and waits until its process is gone. */
    public synchronized void kill(int id) {
        Process p = processes.remove(spec(id).id());
        if (p != null) {
            p.destroyForcibly();
            awaitExit(id, p);
        }
    }

    /** Stops the node cleanly ({@code SIGTERM}: a broker hands its leaderships over first) and waits for it. */
    public synchronized void stop(int id) {
        Process p = processes.remove(spec(id).id());
        if (p != null) {
            p.destroy();
            if (!waitFor(p, NODE_TIMEOUT)) {
                p.destroyForcibly();
                awaitExit(id, p);
            }
        }
    }

    /**
     * Starts a stopped or killed node again on its own data and ports, and returns once it serves (a broker: once
     * the cluster lists it again).
     *
     * @throws IllegalStateException when it is running already or does not start
     */
    public synchronized void startNode(int id) {
        launch(id);
        awaitReady(id);
        if (spec(id).role().isBroker()) {
            awaitBrokers(Set.of(id));
        }
    }

    /**
     * Stops the brokers, then the controller, and deletes the directory when this class made it. The controller
     * outlives the brokers so that each broker's controlled shutdown is answered; stopped together, a broker waits
     * for a controller that is gone until it is killed.
     */
    @Override
    public synchronized void close() {
        stopTogether(brokerIds());
        stopTogether(List.of(KRaftCluster.CONTROLLER_ID));
        if (ownDirectory) {
            KRaftCluster.deleteTree(directory);
        }
    }

    /** Sends SIGTERM to every one of {@code ids} at once, then waits for each; one that does not exit is killed. */
    private void stopTogether(List<Integer> ids) {
        for (int id : ids) {
            Process p = processes.get(id);
            if (p != null) {
                p.destroy();
            }
        }
        for (int id : ids) {
            Process p = processes.remove(id);
            if (p != null && !waitFor(p, Duration.ofSeconds(30))) {
                p.destroyForcibly();
                waitFor(p, Duration.ofSeconds(30));
            }
        }
    }

    private KRaftNode.Spec spec(int id) {
        KRaftNode.Spec s = specs.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no node " + id + " in this cluster (nodes " + specs.keySet() + ")");
        }
        return s;
    }

    private Path propertiesFile(int id) {
        return directory.resolve("node-" + id + ".properties");
    }

    private Path readyFile(int id) {
        return directory.resolve("node-" + id + ".properties" + KRaftNode.READY_SUFFIX);
    }

    private synchronized void launch(int id) {
        KRaftNode.Spec spec = spec(id);
        Process running = processes.get(id);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException("node " + id + " is running already (pid " + running.pid() + ")");
        }
        try {
            Path file = propertiesFile(id);
            if (!Files.exists(file)) {
                try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    spec.toProperties(clusterId).store(w, "KRaft node " + id + " (" + spec.role() + ")");
                }
            }
            Files.deleteIfExists(readyFile(id));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(DEFAULT_JVM_OPTIONS);
            jvmOptions.forEach(o -> command.add(o.replace("{id}", Integer.toString(id))));
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(KRaftNode.class.getName());
            command.add(file.toString());
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(id).toFile())).start();
            processes.put(id, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the process of node " + id, e);
        }
    }

    /** Waits until the node has written its ready file, or fails with the end of its log when it exits first. */
    private void awaitReady(int id) {
        Process p = processes.get(id);
        long deadline = System.nanoTime() + NODE_TIMEOUT.toNanos();
        while (!Files.exists(readyFile(id))) {
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException("node " + id + " exited (code " + (p == null ? "?" : p.exitValue())
                        + ") before it served; the end of " + logFile(id) + ":\n" + tail(logFile(id)));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + id + " did not serve within " + NODE_TIMEOUT
                        + "; the end of " + logFile(id) + ":\n" + tail(logFile(id)));
            }
            sleep(100);
        }
    }

    /** Waits until the cluster lists each of {@code expected} among its brokers (registered and unfenced). */
    private void awaitBrokers(Set<Integer> expected) {
        long deadline = System.nanoTime() + NODE_TIMEOUT.toNanos();
        Set<Integer> seen = Set.of();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "qis-kafka-processes-readiness"))) {
            while (true) {
                try {
                    seen = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id)
                            .collect(Collectors.toCollection(TreeSet::new));
                    if (seen.containsAll(expected)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not serving yet: ask again until the deadline
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for brokers " + expected, e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the cluster lists brokers " + seen + " after " + NODE_TIMEOUT
                            + ", not all of " + expected);
                }
                sleep(100);
            }
        }
    }

    private void awaitExit(int id, Process p) {
        if (!waitFor(p, NODE_TIMEOUT)) {
            throw new IllegalStateException("node " + id + " (pid " + p.pid() + ") did not exit within "
                    + NODE_TIMEOUT);
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }
}
