package dev.qis.publish;

import dev.qis.protocol.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The protocol's topics and how they are laid out: every outcome topic and {@code qis.votes} share one
 * partition count (co-partitioned by fingerprint), {@code qis.nodes} is compacted.
 *
 * @param partitions        partitions of every outcome topic, {@code qis.votes}, {@code qis.nodes} and {@code qis.rejected}
 * @param replicationFactor replicas per partition; {@link #BROKER_DEFAULT_REPLICATION} leaves it to the broker
 * @param prefixChars       hex characters of the fingerprint that name an outcome topic (1: 16 topics)
 */
public record TopicLayout(int partitions, short replicationFactor, int prefixChars) {
    public static final int DEFAULT_PARTITIONS = 6;
    /** Use the broker's {@code default.replication.factor}. */
    public static final short BROKER_DEFAULT_REPLICATION = -1;

    public TopicLayout {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT_REPLICATION) {
            throw new IllegalArgumentException("replication factor must be at least 1 (or -1 for the broker default), got "
                    + replicationFactor);
        }
        if (prefixChars < 1 || prefixChars > 2) {
            throw new IllegalArgumentException("prefix characters must be 1 or 2, got " + prefixChars);
        }
    }

    /** 6 partitions, the broker's replication factor, 16 outcome topics. */
    public static TopicLayout defaults() {
        return new TopicLayout(DEFAULT_PARTITIONS, BROKER_DEFAULT_REPLICATION, Topics.DEFAULT_PREFIX_CHARS);
    }

    /** The topics that must have {@link #partitions()} partitions for the stream app's joins to line up. */
    public List<String> coPartitionedTopics() {
        List<String> names = new ArrayList<>(Topics.allOutcomeTopics(prefixChars));
        names.add(Topics.VOTES);
        return names;
    }

    /** Every topic a publisher writes to, as topics to create. */
    public List<NewTopic> newTopics() {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : coPartitionedTopics()) {
            topics.add(newTopic(name));
        }
        topics.add(newTopic(Topics.NODES)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        topics.add(newTopic(Topics.REJECTED));
        return topics;
    }

    /** A topic with this layout's partition count and replication (the broker's, if so configured). */
    public NewTopic newTopic(String name) {
        Optional<Short> replicas = replicationFactor == BROKER_DEFAULT_REPLICATION
                ? Optional.empty() : Optional.of(replicationFactor);
        return new NewTopic(name, Optional.of(partitions), replicas);
    }
}
