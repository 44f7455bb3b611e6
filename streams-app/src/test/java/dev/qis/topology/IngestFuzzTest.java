package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.config.UnknownNodeGrace;
import dev.qis.metrics.QisMeters;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.store.StoreNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Property-based fuzzing of ingest through the whole topology: packet and report bytes (random, truncated, bit
 * flips of valid signed records, field mutations re-signed and not, NaN/Inf, oversize, wrong schema fingerprints,
 * unregistered nodes, null keys and values). Every input ends exactly one way: accepted, rejected on
 * {@code qis.rejected} with a reason code (never PROCESSING_ERROR) and its original bytes, or a duplicate of a
 * packet already accepted; accepted + rejected + duplicates = inputs, and the driver never throws.
 */
class IngestFuzzTest {
    private static final NodeIdentity ALICE = NodeIdentity.generate();
    private static final NodeIdentity BOB = NodeIdentity.generate();
    private static final NodeIdentity MALLORY = NodeIdentity.generate(); // never registered
    private static final Duration PAST_GRACE = UnknownNodeGrace.DEFAULTS.grace().plusSeconds(2);
    private static final List<String> TASKS = List.of("code-review", "clinical-note-summarization", "a.b", "a_b");

    private Path stateDir;
    private TopologyTestDriver driver;
    private SimpleMeterRegistry meters;
    private TestOutputTopic<byte[], byte[]> rejected;
    private long inputs;
    private long accepted;
    private long rejections;
    private long duplicates;

    /** One record to pipe: which input topic, key and value (either may be null), and how it was made. */
    record FuzzInput(String how, boolean vote, byte[] key, byte[] value) {
        @Override
        public String toString() {
            return how + (vote ? " on votes" : " on outcomes") + " key=" + hex(key) + " value=" + hex(value);
        }

        private static String hex(byte[] b) {
            if (b == null) {
                return "null";
            }
            String h = HexFormat.of().formatHex(b, 0, Math.min(b.length, 48));
            return b.length + "B:" + h + (b.length > 48 ? "…" : "");
        }
    }

    @BeforeProperty
    void startDriver() throws IOException {
        stateDir = Files.createTempDirectory("qis-fuzz");
        QisConfig config = new QisConfig(new Properties());
        Properties props = config.streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "qis-fuzz");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        meters = new SimpleMeterRegistry();
        driver = new TopologyTestDriver(QisTopology.build(config, Clock.fixed(Fixtures.NOW, ZoneOffset.UTC),
                DomainTopics.NAME_ONLY, new QisMeters(meters)), props, Fixtures.NOW);
        rejected = driver.createOutputTopic(Topics.REJECTED, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var nodes = driver.createInputTopic(Topics.NODES, new StringSerializer(), new ByteArraySerializer());
        for (NodeIdentity n : List.of(ALICE, BOB)) {
            nodes.pipeInput(n.nodeId(), Fixtures.nodeKey(n));
        }
    }

    @AfterProperty
    void stopDriver() {
        try {
            driver.close();
            assertEquals(inputs, accepted + rejections + duplicates, "accepted + rejected + duplicates = inputs");
            System.out.printf("ingest fuzz: %d inputs = %d accepted + %d rejected + %d duplicates%n", inputs,
                    accepted, rejections, duplicates);
        } finally {
            deleteRecursively(stateDir);
        }
    }

    @Property
    void everyInputIsAcceptedRejectedOrADuplicate(@ForAll("inputs") FuzzInput input) {
        boolean seenBefore = input.vote() ? false : packetIdOf(input.value()).map(this::inHistory).orElse(false);
        double acceptedBefore = acceptedCount();
        pipe(input);
        driver.advanceWallClockTime(PAST_GRACE); // a record held for an unknown node is decided by now
        List<TestRecord<byte[], byte[]>> dead = rejected.readRecordsToList();
        int acceptedNow = (int) (acceptedCount() - acceptedBefore);
        inputs++;
        assertTrue(dead.size() + acceptedNow <= 1, () -> "one input, one outcome; got " + acceptedNow
                + " accepted and dead letters " + dead.stream().map(r -> describe(r.value())).toList());
        if (dead.size() == 1) {
            Rejection r = ProtocolCodec.decodeRejection(dead.get(0).value());
            assertNotEquals(ReasonCode.PROCESSING_ERROR, r.getReason(), () -> "an unexpected exception: " + r);
            assertTrue(!r.getDetail().isBlank(), "a rejection says why");
            assertArrayEquals(input.value(), bytes(r.getOriginalValue()), "the dead letter carries the original value");
            assertArrayEquals(input.key(), bytes(r.getOriginalKey()), "the dead letter carries the original key");
            rejections++;
        } else if (acceptedNow == 1) {
            accepted++;
        } else {
            assertTrue(seenBefore, "neither accepted nor rejected, so it must repeat an accepted packet");
            duplicates++;
        }
    }

    @Provide
    Arbitrary<FuzzInput> inputs() {
        Arbitrary<NodeIdentity> signer = Arbitraries.of(ALICE, ALICE, BOB, MALLORY);
        Arbitrary<SignedPacket> packets = Combinators.combine(signer, Arbitraries.of(TASKS),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3))
                .as((node, task, b, o) -> Fixtures.packet(task, 50.0 + b, 60.0 + o).sign(node));
        Arbitrary<SignedReport> reports = Combinators.combine(signer, packets, Arbitraries.integers().between(0, 5))
                .as((node, p, s) -> Fixtures.report(p.id(), 55.0 + s, Fixtures.ISSUED.plusSeconds(s), node));
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(700);
        Arbitrary<byte[]> randomKey = Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(80));

        return Arbitraries.oneOf(
                packets.map(p -> packet("signed packet", p, p.bytes())),
                packets.map(p -> new FuzzInput("packet under a null key", false, null, p.bytes())),
                packets.map(p -> new FuzzInput("packet under another key", false, key("0123456789abcdef"), p.bytes())),
                Combinators.combine(packets, Arbitraries.integers().between(0, 511))
                        .as((p, n) -> packet("truncated packet", p, Arrays.copyOf(p.bytes(), Math.min(n, p.bytes().length)))),
                Combinators.combine(packets, Arbitraries.integers().between(0, 4095).list().ofMinSize(1).ofMaxSize(3))
                        .as((p, bits) -> packet("bit-flipped packet", p, flip(p.bytes(), bits))),
                Combinators.combine(packets, Arbitraries.integers().between(2, 9), Arbitraries.bytes())
                        .as((p, i, b) -> packet("wrong schema fingerprint", p, patch(p.bytes(), i, b))),
                Combinators.combine(packets, mutations(), Arbitraries.of(true, false))
                        .as((p, m, resign) -> packet(resign ? "mutated and re-signed" : "mutated, old signature", p,
                                mutate(p, m, resign))),
                packets.map(p -> new FuzzInput("null value", false, key(p.fingerprint().value()), null)),
                Combinators.combine(randomKey, randomBytes).as((k, v) -> new FuzzInput("random bytes", false, k, v)),
                Combinators.combine(randomKey, randomBytes).as((k, v) -> new FuzzInput("random bytes", true, k, v)),
                Arbitraries.integers().between(513, 4096).map(n -> new FuzzInput("oversize", false,
                        key("0123456789abcdef"), oversize(n))),
                reports.map(r -> report("signed report", r, r.bytes())),
                Combinators.combine(reports, Arbitraries.integers().between(0, 200))
                        .as((r, n) -> report("truncated report", r, Arrays.copyOf(r.bytes(), Math.min(n, r.bytes().length)))),
                Combinators.combine(reports, Arbitraries.integers().between(0, 2047).list().ofMinSize(1).ofMaxSize(3))
                        .as((r, bits) -> report("bit-flipped report", r, flip(r.bytes(), bits))),
                Combinators.combine(reports, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY,
                                Double.NEGATIVE_INFINITY, 1e303, -1e303, 0.0, Double.MIN_VALUE))
                        .as((r, d) -> report("report scored " + d, r, resignedReport(r, d))));
    }

    /** A field mutation of a packet: which field, the new value. */
    record Mutation(String field, Object value) {
    }

    private static Arbitrary<Mutation> mutations() {
        Arbitrary<Double> scores = Arbitraries.oneOf(Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, 0.0, -0.0, Double.MIN_VALUE, 1e-300, 1e303, -1e303, Double.MAX_VALUE),
                Arbitraries.doubles().between(-1e6, 1e6));
        return Arbitraries.oneOf(
                scores.map(d -> new Mutation("baseline", d)),
                scores.map(d -> new Mutation("outcome", d)),
                scores.map(d -> new Mutation("confidence", d)),
                Arbitraries.integers().map(n -> new Mutation("n_eval", n)),
                Arbitraries.strings().ofMaxLength(40).map(s -> new Mutation("task", s)),
                Arbitraries.strings().withChars("abc._-").ofMinLength(1).ofMaxLength(40).map(s -> new Mutation("task", s)),
                Arbitraries.strings().ofMaxLength(70).map(s -> new Mutation("benchmark", s)),
                Arbitraries.longs().map(ms -> new Mutation("issued_at", ms)),
                Arbitraries.strings().ofMaxLength(30).map(s -> new Mutation("node_id", s)),
                Arbitraries.strings().ofMaxLength(40).map(s -> new Mutation("packet_id", s)),
                Arbitraries.strings().ofMaxLength(40).list().ofMaxSize(10).map(l -> new Mutation("informed_by", l)),
                Arbitraries.strings().ofMaxLength(30).list().ofMaxSize(20).map(l -> new Mutation("tags", l)),
                Arbitraries.of(KNOWN_IDS).list().ofMaxSize(9).map(l -> new Mutation("informed_by", l)),
                Combinators.combine(Arbitraries.strings().withChars("abr_.-").ofMaxLength(40),
                        Arbitraries.oneOf(scores.map(d -> (Object) d), Arbitraries.longs().map(l -> (Object) l),
                                Arbitraries.strings().ofMaxLength(80).map(t -> (Object) t),
                                Arbitraries.of(true, false).map(b -> (Object) b)))
                        .as((k, v) -> new Mutation("hyperparam", java.util.Map.entry(k, v))),
                Arbitraries.of(true, false).map(b -> new Mutation("higher_is_better", b)));
    }

    /** Ids of packets the generator signs, so that mutated packets cite packets that exist (or themselves). */
    private static final List<String> KNOWN_IDS = TASKS.stream().flatMap(t -> Stream.of(
            Fixtures.packet(t, 50.0, 60.0).sign(ALICE).id(), Fixtures.packet(t, 51.0, 61.0).sign(BOB).id())).toList();

    private static byte[] mutate(SignedPacket p, Mutation m, boolean resign) {
        OutcomePacket copy = OutcomePacket.newBuilder(p.packet()).build();
        switch (m.field()) {
            case "baseline" -> copy.getOutcome().setBaselineScore((Double) m.value());
            case "outcome" -> copy.getOutcome().setOutcomeScore((Double) m.value());
            case "confidence" -> copy.getValidation().setConfidence((Double) m.value());
            case "n_eval" -> copy.getValidation().setNEvalSamples((Integer) m.value());
            case "task" -> copy.getContext().setTask((String) m.value());
            case "benchmark" -> copy.getOutcome().setBenchmark((String) m.value());
            case "issued_at" -> copy.setIssuedAt(Instant.ofEpochMilli((Long) m.value()));
            case "node_id" -> copy.setNodeId((String) m.value());
            case "packet_id" -> copy.setPacketId((String) m.value());
            case "informed_by" -> copy.setInformedBy(castList(m.value()));
            case "tags" -> copy.getContext().setTags(castList(m.value()));
            case "higher_is_better" -> copy.getOutcome().setHigherIsBetter((Boolean) m.value());
            case "hyperparam" -> {
                var entry = (java.util.Map.Entry<?, ?>) m.value();
                var params = new java.util.TreeMap<String, Object>(copy.getMethod().getHyperparams());
                params.put((String) entry.getKey(), entry.getValue());
                copy.getMethod().setHyperparams(params);
            }
            default -> throw new IllegalArgumentException(m.field());
        }
        if (resign) {
            if (!m.field().equals("packet_id")) {
                copy.setPacketId(OutcomePacketBuilder.computeId(copy));
            }
            NodeIdentity signer = p.packet().getNodeId().equals(BOB.nodeId()) ? BOB
                    : p.packet().getNodeId().equals(MALLORY.nodeId()) ? MALLORY : ALICE;
            copy.setSignature(ByteBuffer.wrap(signer.sign(ProtocolCodec.canonical(copy, true))));
        }
        return ProtocolCodec.encode(copy);
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return new ArrayList<>((List<String>) o);
    }

    private static byte[] resignedReport(SignedReport r, double observed) {
        ValidationReport copy = ValidationReport.newBuilder(r.report()).setObservedScore(observed).build();
        copy.setReportId(ValidationReportBuilder.computeId(copy));
        NodeIdentity signer = r.report().getNodeId().equals(BOB.nodeId()) ? BOB
                : r.report().getNodeId().equals(MALLORY.nodeId()) ? MALLORY : ALICE;
        copy.setSignature(ByteBuffer.wrap(signer.sign(ProtocolCodec.canonical(copy, true))));
        return ProtocolCodec.encode(copy);
    }

    /** A validly framed packet past 512 bytes: long tags, re-signed. */
    private static byte[] oversize(int tagChars) {
        OutcomePacket draft = Fixtures.typical(ALICE).packet();
        OutcomePacket copy = OutcomePacket.newBuilder(draft).build();
        copy.getContext().setTags(List.of("x".repeat(tagChars)));
        copy.setPacketId(OutcomePacketBuilder.computeId(copy));
        copy.setSignature(ByteBuffer.wrap(ALICE.sign(ProtocolCodec.canonical(copy, true))));
        return ProtocolCodec.encode(copy);
    }

    private static FuzzInput packet(String how, SignedPacket p, byte[] value) {
        return new FuzzInput(how, false, key(p.fingerprint().value()), value);
    }

    private static FuzzInput report(String how, SignedReport r, byte[] value) {
        return new FuzzInput(how, true, key(r.fingerprint().value()), value);
    }

    private static byte[] flip(byte[] bytes, List<Integer> bits) {
        byte[] copy = bytes.clone();
        for (int bit : bits) {
            int i = (bit / 8) % copy.length;
            copy[i] ^= (byte) (1 << (bit % 8));
        }
        return copy;
    }

    private static byte[] patch(byte[] bytes, int index, byte value) {
        byte[] copy = bytes.clone();
        copy[index] = copy[index] == value ? (byte) (value + 1) : value;
        return copy;
    }

    private void pipe(FuzzInput in) {
        String topic;
        if (in.vote()) {
            topic = Topics.VOTES;
        } else {
            String k = in.key() == null ? "" : new String(in.key(), StandardCharsets.UTF_8);
            char first = k.isEmpty() ? '0' : k.charAt(0);
            topic = Topics.OUTCOMES_PREFIX + (Character.digit(first, 16) >= 0 ? Character.toLowerCase(first) : '0');
        }
        driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(in.key(), in.value());
    }

    private double acceptedCount() {
        double packets = meters.find(QisMeters.PACKETS_ACCEPTED).counters().stream().mapToDouble(c -> c.count()).sum();
        double votes = meters.find(QisMeters.VOTES).counters().stream().mapToDouble(c -> c.count()).sum();
        return packets + votes;
    }

    private boolean inHistory(String packetId) {
        KeyValueStore<String, byte[]> history = driver.getKeyValueStore(StoreNames.INGEST_HISTORY);
        return history.get(packetId) != null;
    }

    private static Optional<String> packetIdOf(byte[] value) {
        try {
            String id = ProtocolCodec.decodePacket(value).getPacketId();
            return PacketId.isValid(id) ? Optional.of(id) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String describe(byte[] rejection) {
        Rejection r = ProtocolCodec.decodeRejection(rejection);
        return r.getReason() + ": " + r.getDetail();
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void deleteRecursively(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
