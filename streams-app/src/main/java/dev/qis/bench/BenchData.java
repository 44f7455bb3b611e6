package dev.qis.bench;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.protocol.avro.DataScale;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * A federation's worth of signed records for a benchmark: node keys, outcome packets spread over domains (Zipf),
 * families, tags and nodes, citations of earlier packets and votes by other nodes, plus a separate set of fresh
 * packets for the freshness phase. Signed in parallel once per set of parameters and cached in a file, so that
 * signing is never what a benchmark measures.
 */
public final class BenchData {
    static final String[] FAMILIES = {"llama-3-8b", "mistral-7b", "qwen2-7b", "gemma-2-9b", "phi-3-mini",
        "llama-3-70b", "olmo-7b", "falcon-7b"};
    static final String[] METHODS = {"LoRA", "QLoRA", "full-fine-tune", "DPO"};
    static final String[] TAGS = {"en", "de", "healthcare", "finance", "code", "legal"};
    private static final int MAGIC = 0x51495342; // "QISB"
    private static final int VERSION = 2;
    private static final double VOTE_SHARE = 0.1;
    private static final double CITE_SHARE = 0.2;

    /** What is generated; equal parameters give byte-identical data (signatures are deterministic). */
    public record Params(int packets, int fresh, int domains, int nodes, long seed) {
        public Params {
            if (packets < 1 || fresh < 0 || domains < 1 || nodes < 2) {
                throw new IllegalArgumentException("packets >= 1, fresh >= 0, domains >= 1 and nodes >= 2 required");
            }
        }

        String fileName() {
            return "bench-v" + VERSION + "-n" + packets + "-f" + fresh + "-d" + domains + "-k" + nodes + "-s" + seed
                    + ".bin";
        }

        String domain(int i) {
            return String.format("bench-d%03d", i);
        }
    }

    /** One record to produce: its topic is chosen by the loader from its kind and key. */
    public record Item(Kind kind, String key, byte[] value) { }

    public enum Kind { NODE, PACKET, VOTE, FRESH }

    private final Params params;
    private final List<Item> nodes;
    private final List<Item> packets;
    private final List<Item> votes;
    private final List<Item> fresh;

    private BenchData(Params params, List<Item> nodes, List<Item> packets, List<Item> votes, List<Item> fresh) {
        this.params = params;
        this.nodes = nodes;
        this.packets = packets;
        this.votes = votes;
        this.fresh = fresh;
    }

    public Params params() {
        return params;
    }

    public List<Item> nodes() {
        return nodes;
    }

    public List<Item> packets() {
        return packets;
    }

    public List<Item> votes() {
        return votes;
    }

    public List<Item> fresh() {
        return fresh;
    }

    /** The cached file for these parameters, or a newly generated one written there; {@code progress} gets counts. */
    public static BenchData loadOrGenerate(Params params, Path cacheDir, IntConsumer progress) throws IOException {
        Path file = cacheDir.resolve(params.fileName());
        if (Files.isRegularFile(file)) {
            try {
                return read(params, file);
            } catch (IOException e) {
                Files.deleteIfExists(file); // a truncated file from an interrupted run: generate it again
            }
        }
        BenchData data = generate(params, progress);
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, params.fileName(), ".tmp");
        data.write(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return data;
    }

    static BenchData generate(Params params, IntConsumer progress) {
        List<NodeIdentity> identities = identities(params.nodes(), params.seed());
        Instant registeredAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Item> nodeItems = identities.stream()
                .map(n -> new Item(Kind.NODE, n.nodeId(), ProtocolCodec.encode(n.nodeKey(registeredAt))))
                .toList();
        // issued in the last week before generation; the fresh ones are stamped when generated too (never ahead)
        Instant base = registeredAt.minus(7, ChronoUnit.DAYS);
        Zipf zipf = new Zipf(params.domains(), 1.0);
        SignedPacket[] signed = new SignedPacket[params.packets() + params.fresh()];
        int total = signed.length;
        int chunk = Math.max(500, total / 20);
        // a packet cites only packets of earlier chunks, so each chunk is signed in parallel
        for (int from = 0; from < total; from += chunk) {
            int start = from;
            int end = Math.min(total, from + chunk);
            IntStream.range(start, end).parallel().forEach(i -> {
                Random r = random(params.seed() * 1_000_003L + i);
                OutcomePacketBuilder draft = draft(params, i, r, zipf, base, start, signed);
                signed[i] = draft.sign(identities.get(r.nextInt(identities.size())));
            });
            progress.accept(end);
        }
        List<Item> packetItems = new ArrayList<>(params.packets());
        List<Item> freshItems = new ArrayList<>(params.fresh());
        for (int i = 0; i < total; i++) {
            Item item = new Item(i < params.packets() ? Kind.PACKET : Kind.FRESH, signed[i].fingerprint().value(),
                    signed[i].bytes());
            (i < params.packets() ? packetItems : freshItems).add(item);
        }
        List<Item> voteItems = votes(params, identities, signed, base);
        return new BenchData(params, nodeItems, packetItems, voteItems, freshItems);
    }

    private static OutcomePacketBuilder draft(Params params, int i, Random r, Zipf zipf, Instant base, int chunkStart,
                                       SignedPacket[] signed) {
        int domain = zipf.sample(r);
        String family = FAMILIES[r.nextInt(FAMILIES.length)];
        OutcomePacketBuilder b = new OutcomePacketBuilder()
                .family(family)
                .task(params.domain(domain))
                .tag(TAGS[r.nextInt(TAGS.length)])
                .dataScale(DataScale.values()[r.nextInt(DataScale.values().length)])
                .benchmark("bench-eval")
                .metric("accuracy")
                .baselineScore(0.5)
                .outcomeScore(0.45 + r.nextDouble() * 0.2)
                .methodType(METHODS[r.nextInt(METHODS.length)])
                .hyperparam("lora_r", 1L << (2 + r.nextInt(5)))
                .hyperparam("learning_rate", 1e-5 * (1 + r.nextInt(30)))
                .nEvalSamples(100 + r.nextInt(900))
                .confidence(0.5 + r.nextInt(50) / 100.0)
                .issuedAt(base.plusMillis(i * 10L));
        if (chunkStart > 0 && r.nextDouble() < CITE_SHARE) {
            String first = signed[r.nextInt(chunkStart)].id();
            b.informedBy(first);
            String second = signed[r.nextInt(chunkStart)].id();
            if (r.nextBoolean() && !second.equals(first)) {
                b.informedBy(second);
            }
        }
        return b;
    }

    private static List<Item> votes(Params params, List<NodeIdentity> identities, SignedPacket[] signed,
                                    Instant base) {
        int count = (int) Math.round(params.packets() * VOTE_SHARE);
        SignedReport[] reports = new SignedReport[count];
        IntStream.range(0, count).parallel().forEach(v -> {
            Random r = random(params.seed() * 7_000_003L + v);
            SignedPacket p = signed[r.nextInt(params.packets())];
            NodeIdentity voter;
            do {
                voter = identities.get(r.nextInt(identities.size()));
            } while (voter.nodeId().equals(p.packet().getNodeId()));
            double claimed = p.packet().getOutcome().getOutcomeScore();
            reports[v] = new ValidationReportBuilder().packetId(p.id())
                    .observedScore(Math.max(0, Math.min(1, claimed + (r.nextDouble() - 0.6) * 0.05)))
                    .nEvalSamples(100 + r.nextInt(400))
                    .issuedAt(p.packet().getIssuedAt().plusSeconds(60))
                    .sign(voter);
        });
        List<Item> items = new ArrayList<>(count);
        for (SignedReport report : reports) {
            items.add(new Item(Kind.VOTE, report.fingerprint().value(), report.bytes()));
        }
        return items;
    }

    /**
     * A generator for one record: java.util.Random's first draws from neighbouring seeds are nearly equal, so the
     * seed is mixed first.
     */
    private static Random random(long seed) {
        return new Random(new SplittableRandom(seed).nextLong());
    }

    /** Ed25519 keys from a seeded generator: the same seed names the same nodes every run. */
    static List<NodeIdentity> identities(int count, long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG"); // deterministic when seeded before first use
            random.setSeed(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
            List<NodeIdentity> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                out.add(new NodeIdentity(generator.generateKeyPair()));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519 or SHA1PRNG", e);
        }
    }

    private void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file),
                1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            for (List<Item> list : List.of(nodes, packets, votes, fresh)) {
                out.writeInt(list.size());
                for (Item item : list) {
                    out.writeUTF(item.key());
                    out.writeShort(item.value().length);
                    out.write(item.value());
                }
            }
        }
    }

    private static BenchData read(Params params, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException(file + " is not a benchmark data file of version " + VERSION);
            }
            List<List<Item>> lists = new ArrayList<>();
            for (Kind kind : Kind.values()) {
                int size = in.readInt();
                List<Item> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    String key = in.readUTF();
                    byte[] value = new byte[in.readUnsignedShort()];
                    in.readFully(value);
                    list.add(new Item(kind, key, value));
                }
                lists.add(list);
            }
            if (lists.get(1).size() != params.packets() || lists.get(3).size() != params.fresh()) {
                throw new IOException(file + " holds other counts than its name says");
            }
            return new BenchData(params, lists.get(0), lists.get(1), lists.get(2), lists.get(3));
        }
    }

    /** Zipf's law over {@code n} ranks with exponent {@code s}, sampled by inverting the cumulative weights. */
    static final class Zipf {
        private final double[] cumulative;

        Zipf(int n, double s) {
            cumulative = new double[n];
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += 1 / Math.pow(k + 1, s);
                cumulative[k] = sum;
            }
            for (int k = 0; k < n; k++) {
                cumulative[k] /= sum;
            }
        }

        int sample(Random r) {
            int i = java.util.Arrays.binarySearch(cumulative, r.nextDouble());
            return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
        }
    }
}
