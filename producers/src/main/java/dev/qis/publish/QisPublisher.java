package dev.qis.publish;

import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.protocol.avro.ReasonCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
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
 * <p>Every call is all-or-nothing. A batch is checked in full before anything is sent: fields, size, id,
 * timestamp and that its node was {@link #register registered} (an invalid packet throws
 * {@link ProtocolException} and sends nothing; signatures are left to the stream app, see {@link #publish(List)}). With {@link PublisherSettings#transactional()} (the
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
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    /** The protocol's checks but the signature's (no keys: {@link PacketVerifier#checkSigned} needs none). */
    private final PacketVerifier checks = new PacketVerifier(nodeId -> Optional.empty(), Clock.systemUTC());
    private boolean broken;
    private boolean closed;

    private QisPublisher(PublisherSettings settings, Producer<String, byte[]> producer) {
        this.settings = settings;
        this.producer = producer;
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
                throw new PublishException(Reason.TOPIC_SETUP_FAILED,
                        servers(settings) + ": could not set up the topics: " + e.getMessage(), e);
            } catch (PublishException e) {
                throw new PublishException(e.reason(), servers(settings) + ": " + e.getMessage(), e.getCause());
            }
        }
        KafkaProducer<String, byte[]> producer;
        try {
            producer = new KafkaProducer<>(producerConfig(settings), new StringSerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new PublishException(Reason.SEND_FAILED, "could not create the producer: " + e.getMessage(), e);
        }
        if (settings.transactional()) {
            try {
                producer.initTransactions();
            } catch (KafkaException e) {
                producer.close(Duration.ZERO);
                throw new PublishException(Reason.BROKER_TIMEOUT,
                        servers(settings) + ": could not initialize transactions within " + settings.timeout().toMillis()
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
        register(List.of(node));
    }

    /** Registers many nodes in one transaction (a simulator's population); nodes already registered are skipped. */
    public void register(Collection<NodeIdentity> nodes) {
        Instant now = Instant.now();
        Map<String, NodeIdentity> fresh = new LinkedHashMap<>();
        for (NodeIdentity node : nodes) {
            if (!registered.contains(node.nodeId())) {
                fresh.putIfAbsent(node.nodeId(), node);
            }
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(fresh.size());
        fresh.values().forEach(node -> records.add(
                new ProducerRecord<>(Topics.NODES, node.nodeId(), ProtocolCodec.encode(node.nodeKey(now)))));
        send(records);
        registered.addAll(fresh.keySet());
    }

    /**
     * Checks every packet (fields, size, id matching the content, a 64-byte signature, a timestamp not in the
     * future, a node {@link #register registered} through this publisher), then sends them all in one
     * transaction. Signatures are not re-verified here: the stream app verifies each one against
     * {@code qis.nodes}, and the JDK's Ed25519 verification would cost more than the send.
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
     * Sends signed votes in one transaction; each is checked first like a packet (fields, id, a 64-byte
     * signature, its reporter {@link #register registered} through this publisher). Returns the report ids.
     */
    public List<String> publishVotes(List<SignedReport> reports) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(reports.size());
        for (int i = 0; i < reports.size(); i++) {
            SignedReport r = reports.get(i);
            verify(i, r);
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

    /**
     * Everything the stream app checks except the signature ({@link PacketVerifier#checkSigned}), which this process
     * cannot get wrong when it signs with {@link OutcomePacketBuilder} and which costs more than the send itself; and
     * that the node was registered through this publisher and the bytes are those of {@code p}'s packet.
     */
    private void verify(int index, SignedPacket p) {
        String where = "packet " + index + " (" + p.id() + "): ";
        if (!registered.contains(p.packet().getNodeId())) {
            throw new ProtocolException(ReasonCode.UNKNOWN_NODE, where + "node " + p.packet().getNodeId()
                    + " is not registered through this publisher; call register(node) first");
        }
        OutcomePacket decoded = checked(where, () -> checks.checkSigned(p.bytes()));
        if (!decoded.getPacketId().equals(p.id())) {
            throw new ProtocolException(ReasonCode.ID_MISMATCH, where + "its bytes carry id " + decoded.getPacketId()
                    + ", not the packet's");
        }
    }

    private void verify(int index, SignedReport r) {
        String where = "report " + index + " (" + r.id() + "): ";
        ValidationReport decoded = checked(where, () -> checks.checkSignedReport(r.bytes()));
        if (!registered.contains(decoded.getNodeId())) {
            throw new ProtocolException(ReasonCode.UNKNOWN_NODE, where + "reporter " + decoded.getNodeId()
                    + " is not registered through this publisher; call register(node) first");
        }
    }

    /** The protocol's check, its detail prefixed with which record of the call failed. */
    private static <T> T checked(String where, Supplier<T> check) {
        try {
            return check.get();
        } catch (ProtocolException e) {
            throw new ProtocolException(e.reason(), where + e.detail());
        }
    }

    private void send(List<ProducerRecord<String, byte[]>> records) {
        if (records.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (closed || broken) {
                throw new PublishException(Reason.CLOSED,
                        closed ? "the publisher is closed" : "the publisher failed earlier and was closed");
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
                throw new PublishException(Reason.SEND_FAILED, "publishing " + records.size() + " record(s) failed"
                        + (transactional ? ", nothing was committed" : "") + ": " + cause.getMessage(), cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon(transactional);
                throw new PublishException(Reason.INTERRUPTED, "interrupted while publishing", e);
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

    private static String servers(PublisherSettings s) {
        return "bootstrap " + s.clientProperties().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
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
