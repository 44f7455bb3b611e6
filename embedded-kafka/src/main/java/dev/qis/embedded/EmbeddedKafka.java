package dev.qis.embedded;

import java.nio.file.Path;
import java.util.Map;

/**
 * The in-process Kafka cluster of {@code qis demo}, {@code qis broker} and the integration tests: a {@link KRaftCluster}
 * with the broker settings the QIS topics and stream app expect. Its data lives under a temporary directory that is
 * deleted on close.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /**
     * Topics are created by the publisher and the stream app with their own partitions and settings, never by a stray
     * read; a new consumer group starts at once; a write is acknowledged by its leader alone, as one broker must.
     */
    static final Map<String, String> BROKER_SETTINGS = Map.of(
            "auto.create.topics.enable", "false",
            "group.initial.rebalance.delay.ms", "0",
            "min.insync.replicas", "1");

    /**
     * The same for brokers in separate processes ({@link KRaftProcesses}): there are enough brokers for a write to
     * need two in-sync replicas, so a broker's loss loses no acknowledged record.
     */
    public static final Map<String, String> PROCESS_BROKER_SETTINGS = Map.of(
            "auto.create.topics.enable", "false",
            "group.initial.rebalance.delay.ms", "0",
            "min.insync.replicas", "2");

    private final KRaftCluster cluster;

    private EmbeddedKafka(KRaftCluster cluster) {
        this.cluster = cluster;
    }

    /** One combined broker and controller, ready to serve. */
    public static EmbeddedKafka start() {
        return start(1);
    }

    /**
     * {@code brokers} brokers (1-{@value KRaftCluster#MAX_BROKERS}; beside one controller when more than one), each
     * ready to serve and seeing the others.
     *
     * @throws IllegalStateException when the cluster does not start, with the reason
     */
    public static EmbeddedKafka start(int brokers) {
        return new EmbeddedKafka(KRaftCluster.start(brokers, BROKER_SETTINGS));
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Where the cluster keeps its logs and metadata; gone after {@link #close()}. */
    public Path directory() {
        return cluster.directory();
    }

    /** Stops every node and deletes the directory. */
    @Override
    public void close() {
        cluster.close();
    }
}
