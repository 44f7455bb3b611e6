package dev.qis.topology;

import dev.qis.protocol.Topics;
import dev.qis.store.StoreNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics the stream app reads and writes (outcome topics, votes, nodes, rejected, node trust;
 * idempotent), and checks at start-up that every outcome topic and the votes topic have the same partition
 * count, since ingest relies on them being co-partitioned by fingerprint.
 */
public final class StreamTopics {
    private final Admin admin;
    private final int partitions;
    private final Optional<Short> replication;
    private final int prefixChars;
    private final Duration timeout;

    public StreamTopics(Admin admin, int partitions, short replicationFactor, int prefixChars, Duration timeout) {
        this.admin = admin;
        this.partitions = partitions;
        this.replication = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
        this.prefixChars = prefixChars;
        this.timeout = timeout;
    }

    public void createAll() {
        List<NewTopic> topics = new ArrayList<>();
        for (String t : Topics.allOutcomeTopics(prefixChars)) {
            topics.add(new NewTopic(t, Optional.of(partitions), replication));
        }
        topics.add(new NewTopic(Topics.VOTES, Optional.of(partitions), replication));
        topics.add(new NewTopic(Topics.REJECTED, Optional.of(partitions), replication));
        topics.add(new NewTopic(Topics.NODES, Optional.of(1), replication)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        topics.add(new NewTopic(StoreNames.NODE_TRUST_TOPIC, Optional.of(partitions), replication)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        create(admin, topics, timeout);
    }

    /** Creates the topics that do not exist yet; an existing topic is left as it is. */
    static void create(Admin admin, List<NewTopic> topics, Duration timeout) {
        CreateTopicsResult result = admin.createTopics(topics);
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : result.values().entrySet()) {
            try {
                e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex);
                }
            } catch (TimeoutException ex) {
                throw new IllegalStateException("creating topic " + e.getKey() + " took longer than " + timeout, ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + e.getKey(), ex);
            }
        }
    }

    /** Fails with every input topic and its partition count when the outcome topics and votes disagree. */
    public void checkCoPartitioned() {
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
