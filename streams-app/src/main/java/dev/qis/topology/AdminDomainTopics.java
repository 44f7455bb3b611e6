package dev.qis.topology;

import dev.qis.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a domain topic the first time the app routes a packet to the domain (idempotent, remembered). A
 * failure is logged and retried on the next packet; the write then fails softly (DomainTopicFailureHandler).
 */
public final class AdminDomainTopics implements DomainTopics {
    private static final Logger LOG = LoggerFactory.getLogger(AdminDomainTopics.class);
    private final Admin admin;
    private final int partitions;
    private final Optional<Short> replication;
    private final Duration timeout;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public AdminDomainTopics(Admin admin, int partitions, short replicationFactor, Duration timeout) {
        this.admin = admin;
        this.partitions = partitions;
        this.replication = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
        this.timeout = timeout;
    }

    @Override
    public String ensure(String domain) {
        String topic = Topics.domain(domain);
        if (!known.contains(topic)) {
            try {
                StreamTopics.create(admin, List.of(new NewTopic(topic, Optional.of(partitions), replication)), timeout);
                known.add(topic);
            } catch (RuntimeException e) {
                LOG.warn("cannot create domain topic {} now: {}", topic, e.getMessage());
            }
        }
        return topic;
    }
}
