package dev.qis.bridge;

import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.publish.PublishException;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import dev.qis.publish.TopicLeaders;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reads an organization's own topic on its internal cluster and publishes signed packets to the federation cluster.
 *
 * <p>Once, across two clusters: a transaction cannot span them, so each poll's batch is published to the federation
 * in one transaction, and only after the federation acknowledged it are the batch's dead letters written and its
 * offsets committed, together, in one transaction on the internal cluster. A bridge that dies in between re-reads the
 * batch and re-publishes byte-identical packets ({@link EventTranslator} is deterministic), which the stream app
 * treats as duplicates; dead letters are never written twice. Within one process, a packet already published is
 * counted as a duplicate and not sent again.
 */
public final class Bridge implements AutoCloseable {
    /** Packet ids remembered to skip re-sending a re-delivered event within one process. */
    static final int RECENT_IDS = 100_000;
    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * Where and how the bridge reads.
     *
     * @param internalClient   Kafka client properties of the internal cluster (bootstrap.servers, security, ...)
     * @param fromTopic        the topic of run events
     * @param group            the consumer group whose committed offsets say how far the bridge got
     * @param deadLetterTopic  the internal topic for events that cannot be published
     * @param batchSize        max.poll.records: events per federation transaction at most
     * @param timeout          bounds every blocking call on the internal cluster
     * @param createDeadLetterTopic create the dead-letter topic (with the source topic's partition count) if missing
     * @param exitAtEnd        stop once the offsets the topic had at start are committed
     * @param progressInterval how often a progress line is printed
     */
    public record Settings(Map<String, Object> internalClient, String fromTopic, String group, String deadLetterTopic,
                           int batchSize, Duration timeout, boolean createDeadLetterTopic, boolean exitAtEnd,
                           Duration progressInterval) {
        public Settings {
            internalClient = Map.copyOf(internalClient);
            Objects.requireNonNull(fromTopic, "fromTopic");
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
            if (fromTopic.equals(deadLetterTopic)) {
                throw new IllegalArgumentException("the dead-letter topic cannot be the topic read (" + fromTopic + ")");
            }
        }
    }

    /** Called after the federation acknowledged a batch and before the internal offsets are committed. */
    @FunctionalInterface
    public interface Checkpoint {
        Checkpoint NONE = batch -> { };

        void afterFederationAck(long batch);
    }

    private final Settings settings;
    private final EventTranslator translator;
    private final BridgeCounters counters;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Checkpoint checkpoint;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final QisPublisher publisher;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Set<String> recent = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_IDS;
        }
    });
    private long nextProgress;

    private Bridge(Settings settings, EventTranslator translator, BridgeCounters counters, PrintWriter out,
                   PrintWriter err, Checkpoint checkpoint, KafkaConsumer<byte[], byte[]> consumer,
                   KafkaProducer<byte[], byte[]> deadLetters, QisPublisher publisher) {
        this.settings = settings;
        this.translator = translator;
        this.counters = counters;
        this.out = out;
        this.err = err;
        this.checkpoint = checkpoint;
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.publisher = publisher;
    }

    /**
     * Connects to both clusters: checks the topic exists, creates the dead-letter topic if asked, initializes the
     * internal transactional producer, opens the federation publisher and registers the node.
     *
     * @throws PublishException when a cluster cannot be reached or refuses the set-up
     */
    public static Bridge open(Settings settings, PublisherSettings federation, NodeIdentity node,
                              EventTranslator translator, BridgeCounters counters, PrintWriter out, PrintWriter err,
                              Checkpoint checkpoint) {
        String internal = "internal cluster " + settings.internalClient().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        prepareTopics(settings, internal);
        KafkaConsumer<byte[], byte[]> consumer = null;
        KafkaProducer<byte[], byte[]> producer = null;
        QisPublisher publisher = null;
        try {
            consumer = new KafkaConsumer<>(consumerConfig(settings), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            producer = new KafkaProducer<>(producerConfig(settings), new ByteArraySerializer(), new ByteArraySerializer());
            try {
                producer.initTransactions();
            } catch (KafkaException e) {
                throw new PublishException(Reason.BROKER_TIMEOUT,
                        internal + ": could not initialize transactions within "
                        + settings.timeout().toMillis() + " ms: " + e.getMessage(), e);
            }
            publisher = QisPublisher.open(federation);
            publisher.register(node);
            return new Bridge(settings, translator, counters, out, err, checkpoint, consumer, producer, publisher);
        } catch (RuntimeException e) {
            if (publisher != null) {
                publisher.close();
            }
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
            if (consumer != null) {
                consumer.close(Duration.ZERO);
            }
            throw e instanceof KafkaException ? new PublishException(Reason.SEND_FAILED,
                    internal + ": " + e.getMessage(), e) : e;
        }
    }

    /** Runs until {@link #stop()}, or with {@link Settings#exitAtEnd()} until the topic's end at start is committed. */
    public void run() {
        consumer.subscribe(List.of(settings.fromTopic()));
        Map<TopicPartition, Long> end = settings.exitAtEnd() ? endOffsets() : Map.of();
        nextProgress = System.nanoTime() + settings.progressInterval().toNanos();
        long batch = 0;
        try {
            while (!stopping.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    process(records, ++batch);
                }
                if (System.nanoTime() >= nextProgress) {
                    err.println("bridge: " + counters.summary());
                    err.flush();
                    nextProgress = System.nanoTime() + settings.progressInterval().toNanos();
                }
                if (settings.exitAtEnd() && caughtUp(end)) {
                    break;
                }
            }
        } catch (WakeupException e) {
            if (!stopping.get()) {
                throw e;
            }
        }
    }

    /** Stops {@link #run()} after the batch in hand (thread-safe; a shutdown hook calls it). */
    public void stop() {
        stopping.set(true);
        consumer.wakeup();
    }

    public BridgeCounters counters() {
        return counters;
    }

    private void process(ConsumerRecords<byte[], byte[]> records, long batch) {
        List<SignedPacket> toSend = new ArrayList<>();
        Set<String> inBatch = new HashSet<>();
        List<ProducerRecord<byte[], byte[]>> dead = new ArrayList<>();
        List<EventTranslator.DeadLetter> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            counters.read(1);
            String where = r.topic() + "-" + r.partition() + "@" + r.offset();
            EventTranslator.Translation t = translator.translate(where, r.value(), r.timestamp());
            if (t instanceof EventTranslator.Packets p) {
                for (SignedPacket packet : p.packets()) {
                    if (recent.contains(packet.id()) || !inBatch.add(packet.id())) {
                        counters.duplicate();
                    } else {
                        toSend.add(packet);
                    }
                }
                p.skipped().forEach(s -> err.println("bridge: " + where + ": skipped " + s
                        + ": the base results have no score for the same task and metric"));
            } else if (t instanceof EventTranslator.DeadLetter d) {
                dead.add(deadLetter(r, d));
                reasons.add(d);
            }
        }
        if (!toSend.isEmpty()) {
            publisher.publish(toSend);
            counters.published(toSend.size());
            toSend.forEach(p -> {
                recent.add(p.id());
                out.println(p.id());
            });
            out.flush();
        }
        checkpoint.afterFederationAck(batch);
        commit(records, dead);
        for (EventTranslator.DeadLetter d : reasons) {
            counters.deadLetter(d.reason());
            err.println("bridge: dead-lettered " + d.reason() + ": " + d.detail());
        }
        err.flush();
    }

    /** The dead letters and the batch's offsets, in one transaction on the internal cluster. */
    private void commit(ConsumerRecords<byte[], byte[]> records, List<ProducerRecord<byte[], byte[]>> dead) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> part = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
        }
        try {
            deadLetters.beginTransaction();
            dead.forEach(deadLetters::send);
            deadLetters.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            deadLetters.commitTransaction();
        } catch (KafkaException e) {
            try {
                deadLetters.abortTransaction();
            } catch (KafkaException | IllegalStateException ignored) {
                // fenced or closed: the next bridge re-reads the batch; its packets are duplicates by content
            }
            throw new PublishException(Reason.SEND_FAILED,
                    "internal cluster: committing " + dead.size() + " dead letter(s) and the offsets"
                    + " failed after the federation acknowledged the batch (a restart re-publishes it as duplicates): "
                    + e.getMessage(), e);
        }
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> r, EventTranslator.DeadLetter d) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(settings.deadLetterTopic(), null, r.timestamp(),
                r.key(), r.value());
        Headers h = record.headers();
        r.headers().forEach(h::add);
        h.add(DeadLetterReason.HEADER_REASON, bytes(d.reason().name()));
        h.add(DeadLetterReason.HEADER_DETAIL, bytes(d.detail()));
        h.add(DeadLetterReason.HEADER_TOPIC, bytes(r.topic()));
        h.add(DeadLetterReason.HEADER_PARTITION, bytes(Integer.toString(r.partition())));
        h.add(DeadLetterReason.HEADER_OFFSET, bytes(Long.toString(r.offset())));
        return record;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Map<TopicPartition, Long> endOffsets() {
        List<TopicPartition> partitions = consumer.partitionsFor(settings.fromTopic(), settings.timeout()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        return consumer.endOffsets(partitions, settings.timeout());
    }

    /** Every partition assigned here and read past its end at start; each processed batch is committed before this check. */
    private boolean caughtUp(Map<TopicPartition, Long> end) {
        if (!consumer.assignment().containsAll(end.keySet())) {
            return false;
        }
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey(), settings.timeout()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        try {
            publisher.close();
        } finally {
            try {
                deadLetters.close(settings.timeout());
            } finally {
                consumer.close(settings.timeout());
            }
        }
    }

    private static void prepareTopics(Settings s, String internal) {
        try (Admin admin = Admin.create(adminConfig(s))) {
            Map<String, TopicDescription> described;
            try {
                described = admin.describeTopics(List.of(s.fromTopic())).allTopicNames()
                        .get(s.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new PublishException(Reason.TOPIC_SETUP_FAILED,
                        internal + ": topic " + s.fromTopic() + ": " + e.getCause().getMessage(), e.getCause());
            }
            if (!s.createDeadLetterTopic()) {
                return;
            }
            int partitions = described.get(s.fromTopic()).partitions().size();
            try {
                admin.createTopics(List.of(new NewTopic(s.deadLetterTopic(), Optional.of(partitions), Optional.empty()))).all().get(s.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new PublishException(Reason.TOPIC_SETUP_FAILED,
                            internal + ": could not create the dead-letter topic "
                            + s.deadLetterTopic() + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
            TopicLeaders.await(admin, s.deadLetterTopic(), s.timeout());
        } catch (TimeoutException e) {
            throw new PublishException(Reason.BROKER_TIMEOUT,
                    internal + ": no answer within " + s.timeout().toMillis() + " ms (is it reachable?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(Reason.INTERRUPTED, "interrupted while connecting to the " + internal, e);
        } catch (KafkaException e) {
            throw new PublishException(Reason.SEND_FAILED, internal + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> consumerConfig(Settings s) {
        Map<String, Object> config = new HashMap<>(s.internalClient());
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, s.timeout().toMillis());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, s.group());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, s.batchSize());
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        return config;
    }

    private static Map<String, Object> producerConfig(Settings s) {
        Map<String, Object> config = new HashMap<>(s.internalClient());
        long timeoutMs = s.timeout().toMillis();
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "qis-bridge-" + s.group() + "-" + UUID.randomUUID());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        int requestTimeout = (int) Math.max(1, Math.min(30_000, timeoutMs));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeoutMs, requestTimeout + 5));
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.max(60_000, timeoutMs * 2));
        return config;
    }

    private static Map<String, Object> adminConfig(Settings s) {
        Map<String, Object> config = new HashMap<>();
        var known = AdminClientConfig.configNames();
        s.internalClient().forEach((k, v) -> {
            if (known.contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.") || k.startsWith("security.")) {
                config.put(k, v);
            }
        });
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, s.timeout().toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        return config;
    }
}
