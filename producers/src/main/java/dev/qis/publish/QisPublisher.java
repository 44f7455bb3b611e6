package dev.qis.publish;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.PacketHistory;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What an MLOps pipeline calls at the end of a run: registers node keys on {@code qis.nodes}, verifies and
 * sends signed packets to {@code qis.outcomes.<prefix>} and votes to {@code qis.votes}, each keyed by its
 * fingerprint, and returns once the broker has acknowledged them.
 *
 * <p>Every call is all-or-nothing. A batch is verified in full before anything is sent (an invalid packet
 * throws {@link ProtocolException} and sends nothing). With {@link PublisherSettings#transactional()} (the
 * default) each call is one Kafka transaction, so a broker failure in the middle of a batch leaves nothing
 * visible to {@code read_committed} readers (the stream app reads that way); the call throws
 * {@link PublishException}. The producer is idempotent ({@code enable.idempotence=true}, {@code acks=all})
 * either way, so retries never duplicate a record.
 *
 * <p>Thread-safe: calls from many threads are serialized, one transaction at a time. One publisher carries
 * packets signed by any number of {@link NodeIdentity nodes}; batch many packets per call for throughput.
 */
public final class QisPublisher implements AutoCloseable {
    /** Prefix of the generated transactional.id; a unique suffix per publisher keeps instances from fencing each other. */
    public static final String TRANSACTIONAL_ID_PREFIX = "qis-publisher-";

    private final PublisherSettings settings;
    private final Producer<String, byte[]> producer;
    private final Map<String, PublicKey> registered = new ConcurrentHashMap<>();
    private final PacketVerifier verifier;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean broken;
    private boolean closed;

    private QisPublisher(PublisherSettings settings, Producer<String, byte[]> producer) {
        this.settings = settings;
        this.producer = producer;
        this.verifier = new PacketVerifier(nodeId -> Optional.ofNullable(registered.get(nodeId)), Clock.systemUTC());
    }

    /**
     * Connects: creates missing topics (when {@link PublisherSettings#createTopics()}), starts the producer
     * and, when transactional, initializes its transactions.
     *
     * @throws PublishException when the broker cannot be reached within the timeout or refuses the set-up
     */
    public static QisPublisher open(PublisherSettings settings) {
        if (settings.createTopics()) {
            try (Admin admin = Admin.create(adminConfig(settings))) {
                new TopicProvisioner(admin, settings.timeout()).ensure(settings.layout());
            } catch (KafkaException e) {
                throw new PublishException("could not set up the topics: " + e.getMessage(), e);
            }
        }
        KafkaProducer<String, byte[]> producer;
        try {
            producer = new KafkaProducer<>(producerConfig(settings), new StringSerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new PublishException("could not create the producer: " + e.getMessage(), e);
        }
        if (settings.transactional()) {
            try {
                producer.initTransactions();
            } catch (KafkaException e) {
                producer.close(Duration.ZERO);
                throw new PublishException("could not initialize transactions within " + settings.timeout().toMillis()
                        + " ms (is the broker reachable?): " + e.getMessage(), e);
            }
        }
        return new QisPublisher(settings, producer);
    }

    /** Package-private for tests that inject a producer. */
    static QisPublisher withProducer(PublisherSettings settings, Producer<String, byte[]> producer) {
        return new QisPublisher(settings, producer);
    }

    /**
     * Publishes a node's key on {@code qis.nodes} (keyed by node id; the topic is compacted, so re-registering
     * is harmless). Once per node per publisher; later calls return at once.
     */
    public void register(NodeIdentity node) {
        if (registered.containsKey(node.nodeId())) {
            return;
        }
        byte[] value = ProtocolCodec.encode(node.nodeKey(Instant.now()));
        send(List.of(new ProducerRecord<>(Topics.NODES, node.nodeId(), value)));
        registered.put(node.nodeId(), node.publicKey());
    }

    /**
     * Verifies every packet (fields, size, id, signature against a key {@link #register registered} through
     * this publisher), then sends them all in one transaction.
     *
     * @return the packet ids, in order, once the broker has acknowledged them
     * @throws ProtocolException when any packet is invalid or its node is not registered: nothing is sent
     * @throws PublishException  when the broker fails or times out: nothing is committed
     */
    public List<String> publish(List<SignedPacket> packets) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(packets.size());
        for (int i = 0; i < packets.size(); i++) {
            SignedPacket p = packets.get(i);
            verify(i, p);
            records.add(new ProducerRecord<>(Topics.outcomes(p.fingerprint(), settings.layout().prefixChars()),
                    p.fingerprint().value(), p.bytes()));
        }
        send(records);
        return packets.stream().map(SignedPacket::id).toList();
    }

    /**
     * Signs drafts assembled elsewhere with {@code node} ({@link OutcomePacketBuilder#seal}), registers the node
     * if needed and publishes them as one batch.
     *
     * @return the packet ids, in order
     * @throws ProtocolException naming the draft and field when any draft is invalid: nothing is sent
     */
    public List<String> publish(NodeIdentity node, List<OutcomePacket> drafts) {
        List<SignedPacket> sealed = new ArrayList<>(drafts.size());
        for (int i = 0; i < drafts.size(); i++) {
            try {
                sealed.add(OutcomePacketBuilder.seal(drafts.get(i), node));
            } catch (ProtocolException e) {
                throw new ProtocolException(e.reason(), "packet " + i + ": " + e.detail());
            }
        }
        register(node);
        return publish(sealed);
    }

    /** Sends one signed vote to {@code qis.votes}, keyed by the voted packet's fingerprint; returns its report id. */
    public String publishVote(SignedReport report) {
        return publishVotes(List.of(report)).get(0);
    }

    /**
     * Sends signed votes in one transaction; each is verified first (fields, id, signature against a key
     * {@link #register registered} through this publisher). Returns the report ids.
     */
    public List<String> publishVotes(List<SignedReport> reports) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(reports.size());
        for (int i = 0; i < reports.size(); i++) {
            SignedReport r = reports.get(i);
            Verdict<?> verdict = verifier.verifyReport(r.bytes());
            if (verdict instanceof Verdict.Rejected<?> rejected) {
                throw new ProtocolException(rejected.reason(), "report " + i + ": " + rejected.detail());
            }
            records.add(new ProducerRecord<>(Topics.VOTES, r.fingerprint().value(), r.bytes()));
        }
        send(records);
        return reports.stream().map(SignedReport::id).toList();
    }

    /**
     * Sends packets exactly as they are, skipping verification: for adversarial simulations that check the
     * stream app rejects forged, tampered or unregistered packets. Never use it for real outcomes.
     */
    public List<String> publishUnverified(List<SignedPacket> packets) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(packets.size());
        for (SignedPacket p : packets) {
            records.add(new ProducerRecord<>(Topics.outcomes(p.fingerprint(), settings.layout().prefixChars()),
                    p.fingerprint().value(), p.bytes()));
        }
        send(records);
        return packets.stream().map(SignedPacket::id).toList();
    }

    public PublisherSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                producer.close(settings.timeout());
            }
        } finally {
            lock.unlock();
        }
    }

    private void verify(int index, SignedPacket p) {
        if (!registered.containsKey(p.packet().getNodeId())) {
            throw new ProtocolException(ReasonCode.UNKNOWN_NODE, "packet " + index + " (" + p.id() + "): node "
                    + p.packet().getNodeId() + " is not registered through this publisher; call register(node) first");
        }
        Verdict<OutcomePacket> verdict = verifier.verifyPacket(p.bytes(), PacketHistory.NONE);
        if (verdict instanceof Verdict.Rejected<OutcomePacket> rejected) {
            throw new ProtocolException(rejected.reason(), "packet " + index + " (" + p.id() + "): " + rejected.detail());
        }
        if (verdict instanceof Verdict.Accepted<OutcomePacket> accepted
                && !accepted.record().getPacketId().equals(p.id())) {
            throw new ProtocolException(ReasonCode.ID_MISMATCH, "packet " + index + ": its bytes carry id "
                    + accepted.record().getPacketId() + ", not " + p.id());
        }
    }

    private void send(List<ProducerRecord<String, byte[]>> records) {
        if (records.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (closed || broken) {
                throw new PublishException(closed ? "the publisher is closed" : "the publisher failed earlier and was closed");
            }
            boolean transactional = settings.transactional();
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            try {
                if (transactional) {
                    producer.beginTransaction();
                }
                for (ProducerRecord<String, byte[]> r : records) {
                    acks.add(producer.send(r));
                }
                if (transactional) {
                    producer.commitTransaction();
                } else {
                    producer.flush();
                }
                for (Future<RecordMetadata> ack : acks) {
                    ack.get();
                }
            } catch (KafkaException | ExecutionException e) {
                abandon(transactional);
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new PublishException("publishing " + records.size() + " record(s) failed"
                        + (transactional ? ", nothing was committed" : "") + ": " + cause.getMessage(), cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon(transactional);
                throw new PublishException("interrupted while publishing", e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a failed call: abort the open transaction; if even that fails the producer is unusable, so close it. */
    private void abandon(boolean transactional) {
        if (!transactional) {
            return;
        }
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException e) {
            broken = true;
            producer.close(Duration.ZERO);
        }
    }

    private static Map<String, Object> producerConfig(PublisherSettings s) {
        Map<String, Object> config = new HashMap<>(s.clientProperties());
        long timeoutMs = s.timeout().toMillis();
        long lingerMs = 5;
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, (int) lingerMs);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        // delivery.timeout.ms must be at least linger.ms + request.timeout.ms.
        int requestTimeout = (int) Math.max(1, Math.min(30_000, timeoutMs - lingerMs));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeoutMs, requestTimeout + lingerMs));
        if (s.transactional()) {
            config.putIfAbsent(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID_PREFIX + UUID.randomUUID());
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.max(60_000, timeoutMs * 2));
        } else {
            config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        }
        return config;
    }

    private static Map<String, Object> adminConfig(PublisherSettings s) {
        Map<String, Object> config = new HashMap<>();
        // Only what an admin client understands: drop producer-only keys the caller may have passed.
        var known = AdminClientConfig.configNames();
        s.clientProperties().forEach((k, v) -> {
            if (known.contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.") || k.startsWith("security.")) {
                config.put(k, v);
            }
        });
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, s.timeout().toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, s.clientProperties().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        return config;
    }
}
