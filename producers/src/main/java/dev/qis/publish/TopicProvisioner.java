package dev.qis.publish;

import dev.qis.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
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

/**
 * Creates the protocol's topics together and makes sure the co-partitioned ones (every outcome topic and
 * {@code qis.votes}) agree on their partition count. Idempotent: existing topics are left as they are, a
 * concurrent creator is tolerated, and when some outcome topics already exist the missing ones get their count.
 */
public final class TopicProvisioner {
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
        Set<String> existing = await(admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs())).names(),
                "listing topics");
        List<String> coPartitioned = layout.coPartitionedTopics();
        List<String> existingCo = coPartitioned.stream().filter(existing::contains).toList();
        int partitions = existingCo.isEmpty() ? layout.partitions() : uniformCount(existingCo);
        TopicLayout effective = new TopicLayout(partitions, layout.replicationFactor(), layout.prefixChars());

        List<NewTopic> missing = effective.newTopics().stream().filter(t -> !existing.contains(t.name())).toList();
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
                        throw new PublishException("could not create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw timedOut("creating topic " + entry.getKey(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PublishException("interrupted while creating topics", e);
                }
            }
        }
        uniformCount(coPartitioned);
        return created;
    }

    /** The one partition count the topics share; a mismatch would send a vote and its packet to different tasks. */
    private int uniformCount(List<String> topics) {
        Map<String, TopicDescription> described = await(admin.describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs(timeoutMs())).allTopicNames(), "describing topics");
        Map<Integer, List<String>> byCount = new TreeMap<>();
        described.values().forEach(d -> byCount.computeIfAbsent(d.partitions().size(), k -> new ArrayList<>()).add(d.name()));
        if (byCount.size() != 1) {
            throw new PublishException("the outcome topics and " + Topics.VOTES
                    + " must all have the same partition count; found " + byCount);
        }
        return byCount.keySet().iterator().next();
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw timedOut(what, e.getCause());
            }
            throw new PublishException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw timedOut(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while " + what, e);
        }
    }

    private PublishException timedOut(String what, Throwable cause) {
        return new PublishException("the broker did not answer within " + timeout.toMillis() + " ms while " + what
                + " (is it reachable?)", cause);
    }

    private int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }
}
