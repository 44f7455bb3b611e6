package dev.qis.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster in this JVM, run by Kafka's own server classes: one combined broker and controller, or N brokers and
 * one controller. Every node listens on the loopback interface only, on ports found free at start, and keeps its data
 * under one fresh temporary directory that {@link #close()} deletes. With fewer than three brokers the internal
 * topics (offsets, transactions, share-group state) get the replication the cluster can hold, or groups and
 * transactions hang.
 */
public final class KRaftCluster implements AutoCloseable {
    public static final int MAX_BROKERS = 9;
    /** How long the brokers have to start and see each other. */
    public static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** A port found free can be taken by another process before a node binds it: then start again on new ports. */
    private static final int START_ATTEMPTS = 3;
    private static final int COMBINED_NODE_ID = 1;
    static final int CONTROLLER_ID = 0;

    private final Path directory;
    /** The controller (or the combined node) first, then the brokers. */
    private final List<KRaftNode> nodes;

    private KRaftCluster(Path directory, List<KRaftNode> nodes) {
        this.directory = directory;
        this.nodes = nodes;
    }

    /**
     * Starts {@code brokers} brokers (one node that is also the controller, or that many brokers beside one
     * controller) with {@code settings} on top of the sizing defaults, and returns once every broker serves clients
     * and sees all the others.
     *
     * @throws IllegalArgumentException for a number of brokers outside 1-{@value #MAX_BROKERS}
     * @throws IllegalStateException    when the cluster does not start, with the reason; nothing is left behind
     */
    public static KRaftCluster start(int brokers, Map<String, String> settings) {
        return start(brokers, settings, KRaftCluster::freePorts);
    }

    /** Finds {@code count} distinct ports for one start attempt. */
    interface PortFinder {
        int[] find(int count) throws IOException;
    }

    static KRaftCluster start(int brokers, Map<String, String> settings, PortFinder ports) {
        if (brokers < 1 || brokers > MAX_BROKERS) {
            throw new IllegalArgumentException("a cluster has 1-" + MAX_BROKERS + " brokers, got " + brokers);
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("qis-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the in-process Kafka cluster", e);
        }
        Map<String, String> clusterSettings = new LinkedHashMap<>(sizingDefaults(brokers));
        clusterSettings.putAll(settings);
        String shape = brokers == 1 ? "1 combined broker and controller" : brokers + " brokers and 1 controller";
        try {
            Exception clash = null;
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                try {
                    Path base = directory.resolve("attempt-" + attempt);
                    return launch(directory, plan(brokers, base, clusterSettings, ports));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the in-process Kafka cluster (" + shape
                            + ") started", e);
                } catch (Exception e) {
                    if (!isPortClash(e)) {
                        throw notStarted(shape, "", e);
                    }
                    clash = e;
                }
            }
            throw notStarted(shape, " (a port was taken at each of " + START_ATTEMPTS + " attempts)", clash);
        } catch (RuntimeException | Error e) {
            deleteQuietly(directory, e);
            throw e;
        }
    }

    private static IllegalStateException notStarted(String shape, String detail, Exception cause) {
        return new IllegalStateException("the in-process Kafka cluster (" + shape + ") did not start" + detail + ": "
                + reason(cause), cause);
    }

    /** {@code host:port} of every broker, comma-separated. */
    public String bootstrapServers() {
        return nodes.stream().filter(n -> n.spec().role().isBroker()).map(n -> n.spec().bootstrapAddress())
                .collect(Collectors.joining(","));
    }

    /** Where the nodes keep their metadata and logs; gone after {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** The nodes as started: the controller (or the combined node) first, then the brokers. */
    public List<KRaftNode.Spec> nodes() {
        return nodes.stream().map(KRaftNode::spec).toList();
    }

    /** Stops the brokers, then the controller, and deletes the directory. */
    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            stop(nodes);
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            deleteTree(directory);
        } catch (UncheckedIOException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The nodes of one start attempt: the controller (or combined node) first, on free loopback ports, each with a
     * directory of its own under {@code base}.
     */
    static List<KRaftNode.Spec> plan(int brokers, Path base, Map<String, String> settings, PortFinder portFinder)
            throws IOException {
        List<KRaftNode.Spec> specs = new ArrayList<>();
        if (brokers == 1) {
            int[] ports = portFinder.find(2);
            String voters = COMBINED_NODE_ID + "@" + KRaftNode.HOST + ":" + ports[1];
            specs.add(new KRaftNode.Spec(COMBINED_NODE_ID, KRaftNode.Role.COMBINED, ports[0], ports[1], voters,
                    base.resolve("node-" + COMBINED_NODE_ID), settings));
            return specs;
        }
        int[] ports = portFinder.find(brokers + 1);
        String voters = CONTROLLER_ID + "@" + KRaftNode.HOST + ":" + ports[0];
        specs.add(new KRaftNode.Spec(CONTROLLER_ID, KRaftNode.Role.CONTROLLER, 0, ports[0], voters,
                base.resolve("node-" + CONTROLLER_ID), settings));
        for (int id = 1; id <= brokers; id++) {
            specs.add(new KRaftNode.Spec(id, KRaftNode.Role.BROKER, ports[id], 0, voters, base.resolve("node-" + id),
                    settings));
        }
        return specs;
    }

    static Map<String, String> sizingDefaults(int brokers) {
        String replication = Integer.toString(Math.min(3, brokers));
        String minInSync = Integer.toString(Math.min(2, brokers));
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("offsets.topic.replication.factor", replication);
        defaults.put("transaction.state.log.replication.factor", replication);
        defaults.put("transaction.state.log.min.isr", minInSync);
        defaults.put("share.coordinator.state.topic.replication.factor", replication);
        defaults.put("share.coordinator.state.topic.min.isr", minInSync);
        defaults.put("default.replication.factor", replication);
        // The log cleaner takes its whole offset map (128 MiB by default) at start, per broker, from this JVM's heap.
        defaults.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        // A broker that cannot reach its controller gives up instead of waiting forever.
        defaults.put("server.max.startup.time.ms", Long.toString(START_TIMEOUT.toMillis()));
        return defaults;
    }

    private static KRaftCluster launch(Path directory, List<KRaftNode.Spec> specs) throws Exception {
        List<KRaftNode> nodes = specs.stream().map(KRaftNode::new).toList();
        try {
            String clusterId = Uuid.randomUuid().toString();
            for (KRaftNode node : nodes) {
                node.format(clusterId);
            }
            // A broker's start waits for its controller, so the controller goes first; the brokers start together.
            nodes.get(0).start();
            inParallel(nodes.subList(1, nodes.size()), "start", KRaftNode::start, START_TIMEOUT);
            awaitBrokers(specs);
            return new KRaftCluster(directory, nodes);
        } catch (Exception e) {
            try {
                stop(nodes);
                deleteTree(specs.get(0).directory().getParent());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Waits until the cluster lists every broker: each is registered with the controller and unfenced. */
    private static void awaitBrokers(List<KRaftNode.Spec> specs) throws Exception {
        List<KRaftNode.Spec> brokers = specs.stream().filter(s -> s.role().isBroker()).toList();
        Set<Integer> expected = brokers.stream().map(KRaftNode.Spec::id).collect(Collectors.toCollection(TreeSet::new));
        String bootstrap = brokers.stream().map(KRaftNode.Spec::bootstrapAddress).collect(Collectors.joining(","));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Set<Integer> seen = Set.of();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "qis-embedded-kafka-readiness"))) {
            while (true) {
                try {
                    seen = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id)
                            .collect(Collectors.toCollection(TreeSet::new));
                    if (seen.equals(expected)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not serving yet: ask again until the deadline
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("the cluster lists brokers " + seen + " after " + START_TIMEOUT
                            + ", not all of " + expected);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Stops the brokers together, then the controller, which their controlled shutdown needs. */
    private static void stop(List<KRaftNode> nodes) {
        if (nodes.isEmpty()) {
            return;
        }
        RuntimeException failure = null;
        try {
            inParallel(nodes.subList(1, nodes.size()), "stop", KRaftNode::close, START_TIMEOUT);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failure = new IllegalStateException("the in-process Kafka brokers did not stop cleanly: " + reason(e), e);
        }
        try {
            nodes.get(0).close();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = new IllegalStateException("the in-process Kafka controller did not stop cleanly: "
                        + reason(e), e);
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private interface NodeAction {
        void apply(KRaftNode node) throws Exception;
    }

    /** Runs {@code action} on every node at once; the first failure is thrown after all have finished. */
    private static void inParallel(List<KRaftNode> nodes, String what, NodeAction action, Duration timeout)
            throws Exception {
        if (nodes.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size(), r -> {
            Thread t = new Thread(r, "qis-kafka-" + what);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (KRaftNode node : nodes) {
                futures.add(pool.submit(() -> {
                    try {
                        action.apply(node);
                    } catch (Exception e) {
                        throw new IllegalStateException("node " + node.spec().id() + ": " + reason(e), e);
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            Exception failure = null;
            for (Future<?> future : futures) {
                try {
                    future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    Exception cause = e.getCause() instanceof Exception c ? c : e;
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                } catch (TimeoutException e) {
                    throw new TimeoutException("the nodes did not " + what + " within " + timeout);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Ports free on the loopback interface right now; all distinct, as the sockets are held until all are found. */
    static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getByName(KRaftNode.HOST)));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static boolean isPortClash(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (isPortClash(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The messages down the cause chain, without repeats: the reason a start failed, in one line. */
    static String reason(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (parts.stream().noneMatch(p -> p.contains(message))) {
                parts.add(message);
            }
        }
        return String.join(": ", parts);
    }

    private static void deleteQuietly(Path dir, Throwable failure) {
        try {
            deleteTree(dir);
        } catch (UncheckedIOException e) {
            failure.addSuppressed(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
        if (Files.exists(dir)) {
            throw new UncheckedIOException(new IOException("cannot delete " + dir + ": something in it remains"));
        }
    }
}
