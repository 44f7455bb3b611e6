package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.DataScale;
import dev.qis.store.StoreNames;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API keeps answering while the stream thread keeps writing: a producer sends thousands of packets and
 * votes into a few domains while eight clients hammer the endpoints that run IQv2 key and range queries on the
 * stores being written. In Kafka Streams 4.3 an IQv2 query took a RocksDB store's position lock and then its monitor
 * while a write took them the other way round (KAFKA-19629): requests hung and the stream thread stopped, and the
 * app wrapped its stores to order the locks. Kafka 4.4.0's writes no longer lock the position, and this test passes
 * on the plain RocksDB stores: the wrapper is gone and this test stays to catch a return. Afterwards the app still
 * answers and has processed every record.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QueriesWhileWritingIT {
    private static final int PARTITIONS = 2;
    private static final int PACKETS = 3000;
    private static final int VOTES = 1000;
    private static final int QUERY_THREADS = 8;
    private static final String[] DOMAINS = {"load-qa", "load-summarization", "load-translation", "load-ner"};
    private static final String[] FAMILIES = {"llama-3-8b", "mistral-7b", "qwen-2-7b"};
    private static final Duration WRITE_TIME = Duration.ofSeconds(20);
    /** Far above any normal answer: a request this slow is stuck, not slow. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Instant ISSUED = Instant.parse("2026-11-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-02T00:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();

    @TempDir
    Path stateDir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private volatile long loadStarted;
    private final List<NodeIdentity> authors = List.of(NodeIdentity.generate(), NodeIdentity.generate(),
            NodeIdentity.generate(), NodeIdentity.generate());

    @Test
    void everyQueryIsAnsweredWhileTheStreamThreadWrites() throws Exception {
        Random random = new Random(11);
        NodeIdentity voter = NodeIdentity.generate();
        List<SignedPacket> packets = new ArrayList<>();
        double[] outcomes = new double[PACKETS];
        for (int i = 0; i < PACKETS; i++) {
            double baseline = 40 + random.nextDouble() * 20;
            outcomes[i] = baseline + 1 + random.nextDouble() * 8;
            packets.add(new OutcomePacketBuilder()
                    .family(FAMILIES[i % FAMILIES.length]).task(DOMAINS[i % DOMAINS.length]).tag("en-US")
                    .dataScale(DataScale.FROM_1K_TO_10K).benchmark("bench").metric("accuracy")
                    .baselineScore(baseline).outcomeScore(outcomes[i]).higherIsBetter(true)
                    .methodType(i % 2 == 0 ? "LoRA" : "QLoRA").hyperparam("seed", (long) i)
                    .heldOutEval(true).nEvalSamples(100 + random.nextInt(900)).confidence(0.5 + random.nextDouble() / 2)
                    .issuedAt(ISSUED.minusSeconds(random.nextInt(86_400)))
                    .sign(authors.get(random.nextInt(authors.size()))));
        }
        List<SignedReport> votes = new ArrayList<>();
        for (int i = 0; i < VOTES; i++) { // one vote each on distinct packets: every vote counts once
            int voted = i * (PACKETS / VOTES);
            votes.add(Packets.vote(packets.get(voted).id(), outcomes[voted] - (i % 3 == 0 ? 5 : 0.1), 200,
                    ISSUED.plusSeconds(60), voter));
        }

        try (QisServer server = QisServer.start(config(), CLOCK);
             KafkaProducer<String, byte[]> producer = producer()) {
            Wait.waitFor(() -> server.awaitRunning(Duration.ofMillis(100)), WAIT,
                    () -> "the stream app RUNNING: " + server.streams().state());
            for (NodeIdentity n : concat(authors, List.of(voter))) {
                producer.send(new ProducerRecord<>(Topics.NODES, n.nodeId(), ProtocolCodec.encode(n.nodeKey(ISSUED))))
                        .get();
            }
            Wait.waitFor(() -> nodeKeys(server) == authors.size() + 1, WAIT,
                    () -> "the node keys in the global store: " + nodeKeys(server) + " of " + (authors.size() + 1));

            Queue<SignedPacket> sent = new ConcurrentLinkedQueue<>();
            List<String> failures = new CopyOnWriteArrayList<>();
            Map<String, LongAdder> answers = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> write(producer, packets, votes, sent, failures), "load-writer");
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < QUERY_THREADS; t++) {
                Random r = new Random(t);
                readers.add(new Thread(() -> query(server, r, sent, stop, answers, failures), "load-reader-" + t));
            }
            loadStarted = System.nanoTime();
            writer.start();
            readers.forEach(Thread::start);

            writer.join(WAIT.toMillis());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (failures.isEmpty() && System.nanoTime() < deadline && !processedEverything(server, votes.size())) {
                Thread.sleep(200);
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join(REQUEST_TIMEOUT.plusSeconds(5).toMillis());
            }
            String deadlocked = deadlockedThreads();
            System.out.printf("queries while writing: %s in %d s; deadlocked: %s%n", answers,
                    Duration.ofNanos(System.nanoTime() - loadStarted).toSeconds(), deadlocked.isEmpty() ? "none" : "yes");

            assertTrue(failures.isEmpty(), "every request answered: " + failures.stream().limit(10).toList()
                    + (deadlocked.isEmpty() ? "" : "\ndeadlocked threads:\n" + deadlocked));
            assertEquals("", deadlocked, "no threads deadlocked");
            assertTrue(processedEverything(server, votes.size()), "every packet and vote processed: "
                    + get(server, "/v1/domains").body());
            for (String endpoint : List.of("synthesis", "top", "packets", "packet")) {
                assertTrue(answers.getOrDefault(endpoint + " 200", new LongAdder()).sum() > 0,
                        "the queries read the stores (" + endpoint + " answered 200 at least once): " + answers);
            }
            assertEquals(200, get(server, "/v1/domains/" + DOMAINS[0] + "/top").statusCode(), "still answering");
        }
    }

    // ---- the load ------------------------------------------------------------------------------------------

    /** Sends every packet and vote spread evenly over {@link #WRITE_TIME}, votes after the packet they concern. */
    private static void write(KafkaProducer<String, byte[]> producer, List<SignedPacket> packets,
                              List<SignedReport> votes, Queue<SignedPacket> sent, List<String> failures) {
        Map<String, SignedReport> voteFor = votes.stream()
                .collect(Collectors.toMap(v -> v.report().getPacketId(), v -> v));
        long nanosPerPacket = WRITE_TIME.toNanos() / packets.size();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < packets.size(); i++) {
                SignedPacket p = packets.get(i);
                producer.send(new ProducerRecord<>(Topics.outcomes(p.fingerprint()), p.fingerprint().value(),
                        p.bytes()), (m, e) -> failed(failures, "send", e));
                SignedReport vote = voteFor.get(p.id());
                if (vote != null) {
                    producer.send(new ProducerRecord<>(Topics.VOTES, vote.fingerprint().value(), vote.bytes()),
                            (m, e) -> failed(failures, "send", e));
                }
                sent.add(p);
                long due = start + (i + 1) * nanosPerPacket;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void failed(List<String> failures, String what, Exception e) {
        if (e != null) {
            failures.add(what + ": " + e);
        }
    }

    /** Asks the four IQv2-backed endpoints about what was sent so far, until told to stop or a request fails. */
    private void query(QisServer server, Random random, Queue<SignedPacket> sent, AtomicBoolean stop,
                       Map<String, LongAdder> answers, List<String> failures) {
        List<SignedPacket> known = new ArrayList<>();
        while (!stop.get() && failures.isEmpty()) {
            if (known.size() < sent.size()) {
                known = new ArrayList<>(sent);
            }
            String domain = DOMAINS[random.nextInt(DOMAINS.length)];
            SignedPacket p = known.isEmpty() ? null : known.get(random.nextInt(known.size()));
            Map<String, String> paths = new LinkedHashMap<>();
            paths.put("synthesis", "/v1/domains/" + domain + "/synthesis");
            paths.put("top", "/v1/domains/" + domain + "/top?k=20");
            if (p != null) {
                paths.put("packets", "/v1/fingerprints/" + p.fingerprint().value() + "/packets?limit=50");
                paths.put("packet", "/v1/packets/" + p.id());
            }
            for (Map.Entry<String, String> e : paths.entrySet()) {
                long start = System.nanoTime();
                try {
                    int status = get(server, e.getValue()).statusCode();
                    answers.computeIfAbsent(e.getKey() + " " + status, k -> new LongAdder()).increment();
                    // 404: not processed yet; 503: briefly unavailable (a rebalance). Anything else is a fault.
                    if (status != 200 && status != 404 && status != 503) {
                        failures.add(e.getValue() + " answered " + status);
                    }
                } catch (HttpTimeoutException ex) {
                    failures.add(e.getValue() + " not answered within " + REQUEST_TIMEOUT.toSeconds() + " s (asked "
                            + Duration.ofNanos(start - loadStarted).toMillis() + " ms into the load)");
                } catch (Exception ex) {
                    failures.add(e.getValue() + " failed: " + ex);
                }
            }
        }
    }

    private boolean processedEverything(QisServer server, int votes) {
        try {
            HttpResponse<String> domains = get(server, "/v1/domains");
            if (domains.statusCode() != 200) {
                return false;
            }
            long packets = 0;
            for (JsonNode d : JSON.readTree(domains.body()).path("domains")) {
                packets += d.path("packets").asLong();
            }
            if (packets != PACKETS) {
                return false;
            }
            // the votes here are not backed by runs, so they reach the packets' reports but no tally: count them there
            double verified = 0;
            for (String line : get(server, "/metrics").body().split("\n")) {
                if (line.startsWith("qis_votes_total{outcome=\"verified\"")) {
                    verified = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return verified >= votes;
        } catch (Exception e) {
            return false;
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------------------

    private QisConfig config() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(QisConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        flags.put(QisConfig.APPLICATION_ID, "qis-load-" + UUID.randomUUID());
        flags.put(QisConfig.REST_PORT, "0"); // any free port; application.server becomes localhost:<that port>
        flags.put(QisConfig.REST_BIND, "127.0.0.1");
        flags.put(QisConfig.STATE_DIR, stateDir.toString());
        flags.put(QisConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
        flags.put("commit.interval.ms", "50");
        return QisConfig.load(Optional.empty(), Map.of(), flags);
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private HttpResponse<String> get(QisServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long nodeKeys(QisServer server) {
        try {
            return server.streams().store(StoreQueryParameters.fromNameAndType(StoreNames.NODE_KEYS,
                    QueryableStoreTypes.<String, byte[]>keyValueStore())).approximateNumEntries();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The threads the JVM finds deadlocked on monitors, with where each waits; empty when there are none. */
    private static String deadlockedThreads() {
        var threads = ManagementFactory.getThreadMXBean();
        long[] ids = threads.findMonitorDeadlockedThreads();
        if (ids == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (ThreadInfo t : threads.getThreadInfo(ids, 12)) {
            out.append(t.getThreadName()).append(" waits for ").append(t.getLockName()).append(" held by ")
                    .append(t.getLockOwnerName()).append('\n');
            Arrays.stream(t.getStackTrace()).forEach(f -> out.append("    at ").append(f).append('\n'));
        }
        return out.toString();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
