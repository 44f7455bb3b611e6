package dev.qis.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * One node of a KRaft cluster on the loopback interface: a combined broker and controller, a controller, or a broker.
 * Everything the node needs is in its {@link Spec} (id, role, ports, quorum, directory, settings), so the same node
 * can run in this JVM, as {@link KRaftCluster} runs it, or alone in a process of its own.
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
