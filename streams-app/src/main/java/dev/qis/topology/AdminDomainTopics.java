package dev.qis.topology;

import dev.qis.protocol.Topics;
import dev.qis.publish.TopicLayout;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a domain topic the first time the app routes a packet to the domain (idempotent, remembered). A
 * failure is logged and retried on the next packet; the write then fails softly (DomainTopicFailureHandler).
 */
public final class AdminDomainTopics implements DomainTopics {
    private static final Logger LOG = LoggerFactory.getLogger(AdminDomainTopics.class);
    private final Admin admin;
    private final TopicLayout layout;
    private final Duration timeout;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    /** Domain topics get the layout's partition count and replication, like the protocol's own topics. */
    public AdminDomainTopics(Admin admin, TopicLayout layout, Duration timeout) {
        this.admin = admin;
        this.layout = layout;
        this.timeout = timeout;
    }

    @Override
    public String ensure(String domain) {
        String topic = Topics.domain(domain);
        if (!known.contains(topic)) {
            try {
                create(layout.newTopic(topic));
                known.add(topic);
            } catch (RuntimeException e) {
                LOG.warn("cannot create domain topic {} now: {}", topic, e.getMessage());
            }
        }
        return topic;
    }

    /** Creates the topic unless it exists; an existing topic is left as it is. */
    private void create(NewTopic topic) {
        try {
            admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topic " + topic.name() + " took longer than " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic.name(), e);
        }
    }
}
