package dev.qis.simulation.network;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qis.client.ApiException;
import dev.qis.client.QisApiClient;
import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.Rejection;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import dev.qis.simulation.SimulationException;
import dev.qis.simulation.actors.PacketFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The real network: packets, votes and keys go to Kafka through {@link QisPublisher} (batched per round, one
 * flush per batch); questions go to the REST API over HTTP; rejections are read back from {@code qis.rejected}.
 */
public final class KafkaHttpNetwork implements OutcomeNetwork {
    /** Records per publisher call: bounds one batch's size. */
    static final int BATCH = 500;
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(15);
    static final Duration UNAVAILABLE_BUDGET = Duration.ofSeconds(60);
    static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration POLL = Duration.ofMillis(200);

    private final QisPublisher publisher;
    private final QisApiClient api;
    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> rejectedReader;
    private final List<RejectionSeen> rejections = new ArrayList<>();
    private final List<SignedPacket> pendingPackets = new ArrayList<>();
    private final List<SignedPacket> pendingRaw = new ArrayList<>();
    private final List<SignedReport> pendingVotes = new ArrayList<>();
    private List<TopicPartition> rejectedPartitions = List.of();
    private final AtomicInteger timeouts = new AtomicInteger();

    private KafkaHttpNetwork(QisPublisher publisher, Map<String, Object> clientProperties, URI api,
                             Optional<String> token, Optional<SSLContext> tls) {
        this.publisher = publisher;
        this.api = QisApiClient.to(api).token(token).tls(tls).timeouts(HTTP_TIMEOUT, HTTP_TIMEOUT).build();
        this.bootstrap = String.valueOf(clientProperties.get("bootstrap.servers"));
        Map<String, Object> consumer = new HashMap<>(clientProperties);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.rejectedReader = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Connects to the brokers (creating missing protocol topics as the settings say) and to the API.
     *
     * @param settings publisher settings; the network switches transactions off (each batch is flushed and
     *                 acknowledged; the idempotent producer never duplicates a record)
     * @param api      the REST API base, e.g. http://localhost:8080
     */
    public static KafkaHttpNetwork open(PublisherSettings settings, URI api) {
        return open(settings, api, Optional.empty(), Optional.empty());
    }

    /**
     * As {@link #open(PublisherSettings, URI)}, for an API that wants a bearer token or its own TLS context.
     *
     * @param token sent as {@code Authorization: Bearer} with every question
     * @param tls   the context for an https API (else the JDK's default, which the javax.net.ssl.* properties set)
     */
    public static KafkaHttpNetwork open(PublisherSettings settings, URI api, Optional<String> token,
                                        Optional<SSLContext> tls) {
        QisPublisher publisher = QisPublisher.open(settings.withTransactional(false));
        try {
            return new KafkaHttpNetwork(publisher, settings.clientProperties(), api, token, tls);
        } catch (RuntimeException e) {
            publisher.close();
            throw e;
        }
    }

    @Override
    public void register(NodeIdentity node) {
        publisher.register(node);
    }

    /**
     * The keys are acknowledged by the broker once {@link #flush()} returns; the stream app reads them into a
     * global store as they arrive. What can be checked from outside is that the app is up and ready
     * ({@code /health/ready}); the round's synthesis calls, made before any packet is sent, leave the global
     * store ample time. A packet refused as UNKNOWN_NODE anyway shows in the report as a valid packet rejected.
     */
    @Override
    public boolean awaitRegistered(List<String> nodeIds) {
        long deadline = System.nanoTime() + REGISTRATION_TIMEOUT.toNanos();
        while (get("/health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            pause();
        }
        return true;
    }

    @Override
    public void publish(SignedPacket packet) {
        pendingPackets.add(packet);
    }

    @Override
    public void publishRaw(Fingerprint key, byte[] bytes) {
        try {
            SignedPacket p = new SignedPacket(ProtocolCodec.decodePacket(bytes), bytes);
            if (!p.fingerprint().equals(key)) {
                throw new SimulationException("a raw packet keyed " + key + " carries id " + p.id());
            }
            pendingRaw.add(p);
        } catch (ProtocolException e) {
            throw new SimulationException("a raw packet must still decode to be sent through the publisher: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void vote(SignedReport report) {
        pendingVotes.add(report);
    }

    @Override
    public void flush() {
        for (List<SignedPacket> batch : batches(pendingPackets)) {
            publisher.publish(batch);
        }
        for (List<SignedPacket> batch : batches(pendingRaw)) {
            publisher.publishUnverified(batch);
        }
        for (List<SignedReport> batch : batches(pendingVotes)) {
            publisher.publishVotes(batch);
        }
        pendingPackets.clear();
        pendingRaw.clear();
        pendingVotes.clear();
    }

    @Override
    public Optional<Recommendation> synthesize(String domain, String family, List<String> tags) {
        QisApiClient.Answer r = getAvailable("/v1/domains/" + encode(domain) + "/synthesis?family=" + encode(family)
                + "&tags=" + encode(String.join(",", tags)));
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        JsonNode body = ok(r);
        double expected = body.path("expected_gain").asDouble();
        JsonNode alt = body.path("exploration");
        Exploration exploration = alt.isObject() && alt.hasNonNull("method_type")
                ? new Exploration(alt.path("method_type").asText(), hyperparams(alt.path("hyperparams")),
                        alt.path("expected_gain").asDouble(), alt.path("upper_bound").asDouble(expected),
                        texts(alt.path("packet_ids")))
                : null;
        return Optional.of(new Recommendation(body.path("method_type").asText(), hyperparams(body.path("hyperparams")),
                expected, body.path("expected_gain_low").asDouble(expected),
                body.path("expected_gain_high").asDouble(expected), body.path("evidence_count").asInt(),
                body.path("distinct_nodes").asInt(), texts(body.path("packet_ids")), exploration));
    }

    /** Hyperparameters as the protocol types them: integral numbers as Long, others as Double, then Boolean, text. */
    static Map<String, Object> hyperparams(JsonNode node) {
        Map<String, Object> hp = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            hp.put(f.getKey(), v.isIntegralNumber() ? (Object) v.asLong() : v.isNumber() ? (Object) v.asDouble()
                    : v.isBoolean() ? (Object) v.asBoolean() : v.asText());
        }
        return hp;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public List<TopEntry> topK(String domain, int k) {
        QisApiClient.Answer r = getAvailable("/v1/domains/" + encode(domain) + "/top?k=" + k);
        if (r.statusCode() == 404) {
            return List.of();
        }
        List<TopEntry> entries = new ArrayList<>();
        for (JsonNode e : ok(r).path("entries")) {
            entries.add(new TopEntry(e.path("packet_id").asText(), e.path("node_id").asText(), e.path("gain").asDouble(),
                    e.path("fidelity").asDouble(), e.path("vote").asDouble(), e.path("trust").asDouble()));
        }
        return entries;
    }

    @Override
    public Map<String, Long> packetsStored() {
        Map<String, Long> stored = new LinkedHashMap<>();
        String cursor = null;
        do {
            JsonNode page = ok(getAvailable(cursor == null ? "/v1/domains"
                    : "/v1/domains?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            for (JsonNode d : page.path("domains")) {
                stored.put(d.path("domain").asText(), d.path("packets").asLong());
            }
            cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
        } while (cursor != null);
        return stored;
    }

    @Override
    public List<RejectionSeen> rejections() {
        if (rejectedPartitions.isEmpty()) {
            List<PartitionInfo> infos = rejectedReader.partitionsFor(Topics.REJECTED, HTTP_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                return List.copyOf(rejections);
            }
            rejectedPartitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            rejectedReader.assign(rejectedPartitions);
            rejectedReader.seekToBeginning(rejectedPartitions);
        }
        Map<TopicPartition, Long> end = rejectedReader.endOffsets(rejectedPartitions, HTTP_TIMEOUT);
        long deadline = System.nanoTime() + HTTP_TIMEOUT.toNanos();
        while (!caughtUp(end)) {
            for (ConsumerRecord<byte[], byte[]> record : rejectedReader.poll(POLL)) {
                Rejection rejection = ProtocolCodec.decodeRejection(record.value());
                ByteBuffer original = rejection.getOriginalValue();
                byte[] bytes = original == null ? new byte[0] : toArray(original);
                rejections.add(new RejectionSeen(rejection.getReason().name(), PacketFactory.sha256(bytes)));
            }
            if (System.nanoTime() > deadline) {
                throw new SimulationException("could not read " + Topics.REJECTED + " to its end within "
                        + HTTP_TIMEOUT.toSeconds() + " s");
            }
        }
        return List.copyOf(rejections);
    }

    @Override
    public String describe() {
        int t = timeouts.get();
        return "kafka " + bootstrap + ", api " + api.base()
                + (t == 0 ? "" : " (" + t + " requests timed out and were retried)");
    }

    @Override
    public void close() {
        try {
            rejectedReader.close(Duration.ofSeconds(5));
        } finally {
            publisher.close();
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (rejectedReader.position(e.getKey(), HTTP_TIMEOUT) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A GET that waits out 503 answers (a rebalance or restore, honouring Retry-After) and timed-out requests,
     * within a budget; each timeout is counted and shows in {@link #describe()}.
     */
    private QisApiClient.Answer getAvailable(String path) {
        long deadline = System.nanoTime() + UNAVAILABLE_BUDGET.toNanos();
        while (true) {
            QisApiClient.Answer r;
            try {
                r = send(path);
            } catch (HttpTimeoutException e) {
                timeouts.incrementAndGet();
                if (System.nanoTime() > deadline) {
                    throw new SimulationException("GET " + api.uri(path) + " kept timing out for "
                            + UNAVAILABLE_BUDGET.toSeconds() + " s (each try waits " + HTTP_TIMEOUT.toSeconds() + " s)", e);
                }
                continue;
            } catch (IOException e) {
                throw unreachable(path, e);
            }
            if (r.statusCode() != 503) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new SimulationException("GET " + path + " still answers 503 after " + UNAVAILABLE_BUDGET.toSeconds()
                        + " s: " + r.body());
            }
            long seconds = r.retryAfterSeconds().orElse(1L);
            sleep(Duration.ofSeconds(Math.max(1, Math.min(seconds, 10))));
        }
    }

    private QisApiClient.Answer get(String path) {
        try {
            return send(path);
        } catch (IOException e) {
            throw unreachable(path, e);
        }
    }

    private QisApiClient.Answer send(String path) throws IOException {
        try {
            return api.get(path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SimulationException("interrupted during GET " + path, e);
        }
    }

    private SimulationException unreachable(String path, IOException e) {
        return new SimulationException("GET " + api.uri(path) + " failed: " + e
                + " (is the stream app serving its REST API there? --api)", e);
    }

    /** The JSON of a 200 answer; any other is a failure of the run. */
    private static JsonNode ok(QisApiClient.Answer r) {
        try {
            if (r.statusCode() != 200) {
                throw r.problem();
            }
            return r.json();
        } catch (ApiException e) {
            throw new SimulationException(e.getMessage(), e);
        }
    }

    private static <T> List<List<T>> batches(List<T> items) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += BATCH) {
            out.add(List.copyOf(items.subList(i, Math.min(items.size(), i + BATCH))));
        }
        return out;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer dup = buffer.duplicate();
        byte[] bytes = new byte[dup.remaining()];
        dup.get(bytes);
        return bytes;
    }

    private static void pause() {
        sleep(POLL);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SimulationException("interrupted while waiting for the API", e);
        }
    }
}
