package dev.qis.publish;

import dev.qis.errors.Reason;
import dev.qis.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the protocol's topics together and makes sure the co-partitioned ones (every outcome topic and
 * {@code qis.votes}) agree on their partition count. Idempotent: existing topics are left as they are, a
 * concurrent creator is tolerated, and when some outcome topics already exist the missing ones get their count.
 */
public final class TopicProvisioner {
    private static final long METADATA_RETRY_MS = 100;

    private final Admin admin;
    private final Duration timeout;

    public TopicProvisioner(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /**
     * Creates what is missing, then verifies the layout.
     *
     * @return the names of the topics this call created (empty when all existed)
     * @throws PublishException when the broker does not answer in time, refuses a topic, or the co-partitioned
     *                          topics do not all have the same partition count
     */
    public List<String> ensure(TopicLayout layout) {
        return ensure(layout, List.of());
    }

    /**
     * As {@link #ensure(TopicLayout)}, with topics of the caller's own (the stream app's {@code qis.node-trust})
     * created alongside; on return every one of them is known to the broker, so a client can subscribe at once.
     */
    public List<String> ensure(TopicLayout layout, List<NewTopic> ownTopics) {
        Set<String> existing = await(admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs())).names(),
                "listing topics");
        List<String> coPartitioned = layout.coPartitionedTopics();
        List<String> existingCo = coPartitioned.stream().filter(existing::contains).toList();
        int partitions = existingCo.isEmpty() ? layout.partitions() : uniformCount(describeOnceKnown(existingCo).values());
        TopicLayout effective = new TopicLayout(partitions, layout.replicationFactor(), layout.prefixChars());

        List<NewTopic> wanted = new ArrayList<>(effective.newTopics());
        wanted.addAll(ownTopics);
        List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
        List<String> created = new ArrayList<>();
        if (!missing.isEmpty()) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(missing,
                    new CreateTopicsOptions().timeoutMs(timeoutMs())).values();
            for (var entry : new TreeMap<>(results).entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new PublishException(Reason.TOPIC_SETUP_FAILED,
                                "could not create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw timedOut("creating topic " + entry.getKey(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PublishException(Reason.INTERRUPTED, "interrupted while creating topics", e);
                }
            }
        }
        Map<String, TopicDescription> described = describeOnceKnown(wanted.stream().map(NewTopic::name).toList());
        uniformCount(coPartitioned.stream().map(described::get).toList());
        return created;
    }

    /** The one partition count the topics share; a mismatch would send a vote and its packet to different tasks. */
    private static int uniformCount(Collection<TopicDescription> described) {
        Map<Integer, List<String>> byCount = new TreeMap<>();
        described.forEach(d -> byCount.computeIfAbsent(d.partitions().size(), k -> new ArrayList<>()).add(d.name()));
        if (byCount.size() != 1) {
            throw new PublishException(Reason.TOPIC_SETUP_FAILED, "the outcome topics and " + Topics.VOTES
                    + " must all have the same partition count; found " + byCount);
        }
        return byCount.keySet().iterator().next();
    }

    /** Topics just created can be unknown to the broker for a moment, until its metadata catches up. */
    private Map<String, TopicDescription> describeOnceKnown(List<String> topics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return await(admin.describeTopics(topics, new DescribeTopicsOptions().timeoutMs(timeoutMs()))
                        .allTopicNames(), "describing topics");
            } catch (PublishException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(METADATA_RETRY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishException(Reason.INTERRUPTED, "interrupted while describing topics", e);
            }
        }
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw timedOut(what, e.getCause());
            }
            throw new PublishException(Reason.TOPIC_SETUP_FAILED,
                    what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw timedOut(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(Reason.INTERRUPTED, "interrupted while " + what, e);
        }
    }

    private PublishException timedOut(String what, Throwable cause) {
        return new PublishException(Reason.BROKER_TIMEOUT,
                "the broker did not answer within " + timeout.toMillis() + " ms while " + what
                + " (is it reachable?)", cause);
    }

    private int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }
}
