package dev.qis.topics;

import dev.qis.protocol.Topics;
import dev.qis.publish.TopicLayout;
import dev.qis.topology.DomainTopics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a domain topic the first time the app routes a packet to the domain, without holding the stream thread
 * for long: a creation runs in the background and a packet waits for it at most {@code createWait}. A packet whose
 * domain topic is not there in time (still being created, refused, or past the cap of {@code maxTopics} domain
 * topics) is written to {@link Topics#DOMAIN_OVERFLOW} instead, which exists from start-up, so it is never lost nor
 * written to a topic that does not exist (where the producer would block on its metadata). A failed creation is
 * tried again after {@code retryBackoff}. Ingest starts the creation ahead ({@link #prepare}) when it accepts a
 * packet, so the wait is usually over before the packet is routed: with the domain topics created one by one on
 * the stream thread, a new application spent about 50 ms per new domain waiting on the creation and as much again on
 * the producer's metadata of a topic only just created (docs/benchmarks.md).
 */
public final class AdminDomainTopics implements DomainTopics {
    private static final Logger LOG = LoggerFactory.getLogger(AdminDomainTopics.class);
    private final Admin admin;
    private final TopicLayout layout;
    private final int maxTopics;
    private final Duration createWait;
    private final Duration retryBackoff;
    private final Clock clock;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Map<String, KafkaFuture<Void>> creating = new ConcurrentHashMap<>();
    private final Map<String, Long> failedAt = new ConcurrentHashMap<>();
    /** Creations one packet already waited for in vain: later packets do not wait for them again. */
    private final Set<String> waitedFor = ConcurrentHashMap.newKeySet();
    private volatile boolean capReported;

    /** Domain topics get the layout's partition count and replication, like the protocol's own topics. */
    public AdminDomainTopics(Admin admin, TopicLayout layout, int maxTopics, Duration createWait,
                             Duration retryBackoff, Clock clock) {
        if (maxTopics < 0) {
            throw new IllegalArgumentException("the cap on domain topics must not be negative, got " + maxTopics);
        }
        this.admin = admin;
        this.layout = layout;
        this.maxTopics = maxTopics;
        this.createWait = createWait;
        this.retryBackoff = retryBackoff;
        this.clock = clock;
    }

    /**
     * Learns which domain topics exist already (they count towards the cap and are never created again).
     *
     * @return how many there are
     */
    public int loadExisting(Duration timeout) {
        try {
            Set<String> names = admin.listTopics(new ListTopicsOptions().timeoutMs((int) timeout.toMillis())).names()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            names.stream().filter(n -> n.startsWith(Topics.DOMAIN_PREFIX)).forEach(known::add);
            return known.size();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list the existing domain topics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the existing domain topics", e);
        }
    }

    @Override
    public String ensure(String domain) {
        String topic = Topics.domain(domain);
        if (known.contains(topic)) {
            return topic;
        }
        KafkaFuture<Void> creation = creating.get(topic);
        if (creation == null) {
            Long failed = failedAt.get(topic);
            if (failed != null && clock.millis() - failed < retryBackoff.toMillis()) {
                return Topics.DOMAIN_OVERFLOW;
            }
            if (known.size() + creating.size() >= maxTopics) {
                if (!capReported) {
                    capReported = true;
                    LOG.warn("the cap of {} domain topics (qis.domain.topics.max) is reached; packets of further "
                            + "domains (the first: {}) go to {}", maxTopics, domain, Topics.DOMAIN_OVERFLOW);
                }
                return Topics.DOMAIN_OVERFLOW;
            }
            creation = create(topic);
        }
        if (waitedFor.contains(topic) && !creation.isDone()) {
            return Topics.DOMAIN_OVERFLOW;
        }
        return awaitCreated(topic, creation) ? topic : Topics.DOMAIN_OVERFLOW;
    }

    /**
     * Starts the creation of the domain's topic in the background unless it exists, is being created, failed within
     * the back-off or is past the cap (then {@link #ensure} decides as it would have, and reports the cap).
     */
    @Override
    public void prepare(String domain) {
        String topic = Topics.domain(domain);
        if (known.contains(topic) || creating.containsKey(topic)) {
            return;
        }
        Long failed = failedAt.get(topic);
        if (failed != null && clock.millis() - failed < retryBackoff.toMillis()) {
            return;
        }
        if (known.size() + creating.size() >= maxTopics) {
            return;
        }
        create(topic);
    }

    private KafkaFuture<Void> create(String topic) {
        return creating.computeIfAbsent(topic, t -> admin.createTopics(List.of(layout.newTopic(t)),
                new CreateTopicsOptions().timeoutMs((int) Math.max(1, retryBackoff.toMillis()))).all());
    }

    /**
     * Waits at most {@code createWait} for a creation (only the first packet of a domain waits; the creation itself
     * may take up to the back-off); true once the topic exists.
     */
    private boolean awaitCreated(String topic, KafkaFuture<Void> creation) {
        try {
            creation.get(waitedFor.contains(topic) ? 0 : createWait.toMillis(), TimeUnit.MILLISECONDS);
            created(topic);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                created(topic);
                return true;
            }
            creating.remove(topic);
            waitedFor.remove(topic);
            failedAt.put(topic, clock.millis());
            LOG.warn("cannot create domain topic {} (tried again in {}; its packets go to {} meanwhile): {}", topic,
                    retryBackoff, Topics.DOMAIN_OVERFLOW, e.getCause().toString());
            return false;
        } catch (TimeoutException e) {
            waitedFor.add(topic);
            LOG.debug("domain topic {} not created within {}; this packet goes to {}", topic, createWait,
                    Topics.DOMAIN_OVERFLOW);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void created(String topic) {
        known.add(topic);
        creating.remove(topic);
        waitedFor.remove(topic);
        failedAt.remove(topic);
    }
}
