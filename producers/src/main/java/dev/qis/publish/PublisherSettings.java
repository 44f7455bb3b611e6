package dev.qis.publish;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * How a {@link QisPublisher} connects and writes.
 *
 * @param clientProperties any Kafka client property (bootstrap.servers, SASL, TLS, ...); the publisher's own
 *                         settings (idempotence, acks, serializers, timeouts) win over these
 * @param layout           the topics' partition count and replication, used when creating missing topics
 * @param timeout          the longest any call blocks: maps to max.block.ms, delivery.timeout.ms and the admin timeouts
 * @param transactional    one transaction per call, so a failed batch leaves nothing visible to read_committed readers
 * @param createTopics     create missing topics on open (needs the CreateTopics ACL on a secured cluster)
 */
public record PublisherSettings(Map<String, Object> clientProperties, TopicLayout layout, Duration timeout,
                                boolean transactional, boolean createTopics) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public PublisherSettings {
        clientProperties = Map.copyOf(clientProperties);
        Objects.requireNonNull(layout, "layout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (!clientProperties.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + " is required");
        }
    }

    /** Transactional, creating topics with the default layout, 30 s timeout. */
    public static PublisherSettings forBootstrap(String bootstrapServers) {
        return new PublisherSettings(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                TopicLayout.defaults(), DEFAULT_TIMEOUT, true, true);
    }

    public PublisherSettings withLayout(TopicLayout newLayout) {
        return new PublisherSettings(clientProperties, newLayout, timeout, transactional, createTopics);
    }

    public PublisherSettings withTimeout(Duration newTimeout) {
        return new PublisherSettings(clientProperties, layout, newTimeout, transactional, createTopics);
    }

    public PublisherSettings withTransactional(boolean newTransactional) {
        return new PublisherSettings(clientProperties, layout, timeout, newTransactional, createTopics);
    }
}
