package dev.qis.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * One node of a KRaft cluster on the loopback interface: a combined broker and controller, a controller, or a broker.
 * Everything the node needs is in its {@link Spec} (id, role, ports, quorum, directory, settings), so the same node
 * can run in this JVM, as {@link KRaftCluster} runs it, or alone in a process of its own, as {@link #main} runs it
 * for {@link KRaftProcesses}.
 */
public final class KRaftNode implements AutoCloseable {
    /** Every listener binds here, so nothing is reachable from another machine. */
    public static final String HOST = "127.0.0.1";
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    // Kafka's own configuration keys, in one place.
    static final String PROCESS_ROLES = "process.roles";
    static final String NODE_ID = "node.id";
    static final String LISTENERS = "listeners";
    static final String ADVERTISED_LISTENERS = "advertised.listeners";
    static final String SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    static final String INTER_BROKER_LISTENER = "inter.broker.listener.name";
    static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    static final String QUORUM_VOTERS = "controller.quorum.voters";
    static final String LOG_DIRS = "log.dirs";
    static final String METADATA_LOG_DIR = "metadata.log.dir";

    /** What a node runs as; the value of {@code process.roles}. */
    public enum Role {
        COMBINED("broker,controller"), CONTROLLER("controller"), BROKER("broker");

        private final String processRoles;

        Role(String processRoles) {
            this.processRoles = processRoles;
        }

        public boolean isBroker() {
            return this != CONTROLLER;
        }

        public boolean isController() {
            return this != BROKER;
        }
    }

    /**
     * A node: its id and role; its client port (brokers) and controller port (controllers), 0 where the role has no
     * such listener; the controller quorum as {@code id@host:port,...}; the directory that holds both its metadata and
     * its partition logs; and the settings the whole cluster shares (they cannot override the ones above).
     */
    public record Spec(int id, Role role, int brokerPort, int controllerPort, String quorumVoters, Path directory,
            Map<String, String> settings) {
        public Spec {
            if (id < 0) {
                throw new IllegalArgumentException("a node id is not negative, got " + id);
            }
            if (role.isBroker() != (brokerPort > 0) || role.isController() != (controllerPort > 0)) {
                throw new IllegalArgumentException("node " + id + " (" + role + ") needs a port for each of its roles"
                        + " and no other: broker port " + brokerPort + ", controller port " + controllerPort);
            }
            settings = Map.copyOf(settings);
        }

        /**
         * The node as a properties file holds it for {@link #main}: the {@code qis.node.*} keys below, the cluster id,
         * and the shared settings under their own Kafka names.
         */
        public Properties toProperties(String clusterId) {
            Properties p = new Properties();
            p.putAll(settings);
            p.setProperty(FILE_ID, Integer.toString(id));
            p.setProperty(FILE_ROLE, role.name().toLowerCase(java.util.Locale.ROOT));
            p.setProperty(FILE_BROKER_PORT, Integer.toString(brokerPort));
            p.setProperty(FILE_CONTROLLER_PORT, Integer.toString(controllerPort));
            p.setProperty(FILE_QUORUM_VOTERS, quorumVoters);
            p.setProperty(FILE_DIRECTORY, directory.toString());
            p.setProperty(FILE_CLUSTER_ID, clusterId);
            return p;
        }

        /**
         * The node a properties file of {@link #toProperties} describes.
         *
         * @throws IllegalArgumentException naming the missing or malformed key
         */
        public static Spec fromProperties(Properties p) {
            Map<String, String> settings = new LinkedHashMap<>();
            for (String key : p.stringPropertyNames()) {
                if (!key.startsWith(FILE_PREFIX)) {
                    settings.put(key, p.getProperty(key));
                }
            }
            String role = required(p, FILE_ROLE);
            Role parsed;
            try {
                parsed = Role.valueOf(role.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(FILE_ROLE + " must be combined, controller or broker, got '" + role
                        + "'");
            }
            return new Spec(integer(p, FILE_ID), parsed, integer(p, FILE_BROKER_PORT), integer(p, FILE_CONTROLLER_PORT),
                    required(p, FILE_QUORUM_VOTERS), Path.of(required(p, FILE_DIRECTORY)), settings);
        }

        /** {@code host:port} of the client listener; only brokers have one. */
        public String bootstrapAddress() {
            if (!role.isBroker()) {
                throw new IllegalStateException("node " + id + " is a controller only: clients do not connect to it");
            }
            return HOST + ":" + brokerPort;
        }

        /** The node's broker configuration (what a {@code server.properties} would hold). */
        public Map<String, String> config() {
            Map<String, String> config = new LinkedHashMap<>(settings);
            config.put(PROCESS_ROLES, role.processRoles);
            config.put(NODE_ID, Integer.toString(id));
            config.put(QUORUM_VOTERS, quorumVoters);
            config.put(CONTROLLER_LISTENER_NAMES, CONTROLLER_LISTENER);
            config.put(SECURITY_PROTOCOL_MAP, BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            config.put(INTER_BROKER_LISTENER, BROKER_LISTENER);
            String broker = BROKER_LISTENER + "://" + HOST + ":" + brokerPort;
            String controller = CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort;
            config.put(LISTENERS, switch (role) {
                case COMBINED -> broker + "," + controller;
                case CONTROLLER -> controller;
                case BROKER -> broker;
            });
            if (role.isBroker()) {
                config.put(ADVERTISED_LISTENERS, broker);
            }
            config.put(LOG_DIRS, directory.toString());
            config.put(METADATA_LOG_DIR, directory.toString());
            return config;
        }
    }

    // The keys of a node's properties file (see Spec#toProperties); every other key is a Kafka setting.
    static final String FILE_PREFIX = "qis.node.";
    static final String FILE_ID = FILE_PREFIX + "id";
    static final String FILE_ROLE = FILE_PREFIX + "role";
    static final String FILE_BROKER_PORT = FILE_PREFIX + "broker.port";
    static final String FILE_CONTROLLER_PORT = FILE_PREFIX + "controller.port";
    static final String FILE_QUORUM_VOTERS = FILE_PREFIX + "quorum.voters";
    static final String FILE_DIRECTORY = FILE_PREFIX + "directory";
    static final String FILE_CLUSTER_ID = FILE_PREFIX + "cluster.id";
    /** Written beside the properties file once the node serves, removed when it stops. */
    static final String READY_SUFFIX = ".ready";
    /** A node's metadata file: present once its directory is formatted. */
    private static final String META_PROPERTIES = "meta.properties";

    private final Spec spec;
    private KafkaRaftServer server;

    public KRaftNode(Spec spec) {
        this.spec = spec;
    }

    public Spec spec() {
        return spec;
    }

    /**
     * Writes the node's identity and the cluster's bootstrap metadata into its empty directory, as {@code
     * kafka-storage.sh format} does. The formatter's report stays off standard output, which belongs to the user.
     */
    public void format(String clusterId) throws Exception {
        Files.createDirectories(spec.directory());
        try (PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(discard)
                    .setNodeId(spec.id())
                    .setClusterId(clusterId)
                    .setDirectories(List.of(spec.directory().toString()))
                    .setMetadataLogDirectory(spec.directory().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        }
    }

    /**
     * Starts the node on its formatted directory. A broker returns once it has caught up with the cluster's metadata
     * and is unfenced, so its controller must be running; a controller returns once it listens.
     */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("node " + spec.id() + " is already started");
        }
        server = new KafkaRaftServer(new KafkaConfig(spec.config()), Time.SYSTEM);
        server.startup();
    }

    /** Whether the node's directory was formatted already (a node that restarts keeps its data). */
    public boolean isFormatted() {
        return Files.exists(spec.directory().resolve(META_PROPERTIES));
    }

    /**
     * Runs one node in this process until it is told to stop (SIGTERM or SIGINT: a clean shutdown) or killed:
     * {@code KRaftNode FILE}, where FILE holds the node as {@link Spec#toProperties} writes it. The directory is
     * formatted with the file's cluster id on the first start only. Once the node serves, {@code FILE.ready} holds
     * its process id. Exit codes: 0 stopped, 1 the node failed, 2 a bad or missing file.
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: KRaftNode NODE.properties (qis.node.id, .role, .broker.port, .controller.port,"
                    + " .quorum.voters, .directory, .cluster.id, and Kafka settings)");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        Spec spec;
        String clusterId;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(reader);
            spec = Spec.fromProperties(p);
            clusterId = required(p, FILE_CLUSTER_ID);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("KRaftNode: cannot read " + file + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        Path ready = file.resolveSibling(file.getFileName() + READY_SUFFIX);
        KRaftNode node = new KRaftNode(spec);
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            Files.deleteIfExists(ready);
            if (!node.isFormatted()) {
                node.format(clusterId);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.deleteIfExists(ready);
                    node.close();
                } catch (Exception e) {
                    System.err.println("KRaftNode " + spec.id() + ": while stopping: " + e);
                } finally {
                    stopped.countDown();
                }
            }, "qis-kraft-node-shutdown"));
            node.start();
            Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(ProcessHandle.current().pid() + "\n");
            }
            Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("KRaftNode " + spec.id() + " (" + spec.role() + ") ready");
            stopped.await();
        } catch (Exception e) {
            System.err.println("KRaftNode " + spec.id() + " failed: " + e);
            e.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
    }

    private static String required(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is missing");
        }
        return value.trim();
    }

    private static int integer(Properties p, String key) {
        String value = required(p, key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'");
        }
    }

    /** Stops the node (a broker hands its partitions over first) and waits until it has stopped. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            server = null;
        }
    }
}
