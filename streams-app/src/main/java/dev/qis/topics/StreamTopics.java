package dev.qis.topics;

import dev.qis.protocol.Topics;
import dev.qis.publish.TopicLayout;
import dev.qis.publish.TopicProvisioner;
import dev.qis.store.StoreNames;
import dev.qis.topology.QisTopology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The stream app's topics: the protocol's, created by the publisher's {@link TopicProvisioner} from the same
 * {@link TopicLayout} (so both sides agree on partitions and replication), plus its own compacted
 * {@code qis.node-trust} and {@code qis.domain-overflow} (for routed packets whose domain has no topic); and the start-up check that every input topic is co-partitioned with {@code qis.votes}.
 */
public final class StreamTopics {
    private final Admin admin;
    private final TopicLayout layout;
    private final Duration timeout;

    public StreamTopics(Admin admin, TopicLayout layout, Duration timeout) {
        this.admin = admin;
        this.layout = layout;
        this.timeout = timeout;
    }

    /** Creates whatever is missing; existing topics are left as they are. */
    public void createAll() {
        new TopicProvisioner(admin, timeout).ensure(layout, List.of(layout.newTopic(StoreNames.NODE_TRUST_TOPIC)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                layout.newTopic(Topics.DOMAIN_OVERFLOW)));
    }

    /**
     * Fails with every input topic and its partition count when they disagree. Wider than the provisioner's check:
     * the topology subscribes by pattern, so an outcome topic outside this layout (another prefix width) counts too.
     */
    /** Checks co-partitioning and returns the partition count the input topics actually have. */
    public int checkCoPartitioned() {
        try {
            Set<String> names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<String> inputs = names.stream().filter(n -> QisTopology.INPUT_PATTERN.matcher(n).matches())
                    .sorted().toList();
            if (!inputs.contains(Topics.VOTES)) {
                throw new IllegalStateException("topic " + Topics.VOTES + " does not exist");
            }
            Map<String, TopicDescription> described = admin.describeTopics(inputs).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Integer> counts = new TreeMap<>();
            described.forEach((name, d) -> counts.put(name, d.partitions().size()));
            checkCounts(counts);
            return counts.get(Topics.VOTES);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the input topics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the input topics", e);
        }
    }

    static void checkCounts(Map<String, Integer> counts) {
        if (counts.values().stream().distinct().count() > 1) {
            StringBuilder listing = new StringBuilder();
            counts.forEach((name, n) -> listing.append(listing.isEmpty() ? "" : ", ").append(name).append('=').append(n));
            throw new IllegalStateException("every qis.outcomes.* topic and " + Topics.VOTES
                    + " must have the same partition count (they are co-partitioned by fingerprint), found: " + listing);
        }
    }
}
