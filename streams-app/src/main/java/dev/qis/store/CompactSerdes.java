package dev.qis.store;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary forms of the domain view's values ({@link Candidate}, {@link DomainStats}): the domain view reads
 * and writes one of each per update, and JSON parsing of them was most of its cost. Each value starts with a
 * version byte ({@link #VERSION}), so a later layout can be read beside this one; a value of an unknown version,
 * or one that ends early or runs on, is a {@link SerializationException} naming the type and the reason.
 *
 * <p>Layout (big-endian): numbers fixed width (long and double 8 bytes, int 4, boolean 1; doubles as their IEEE
 * bits, so every value round-trips exactly, infinities included); a string is a var-int of its UTF-8 length plus
 * one (0 for null) and its bytes; a list or map is a var-int of its size plus one (0 for null) and its entries.
 * Hyperparameter values carry a tag: L (Long), D (Double), S (String), B (Boolean), N (null).
 *
 * <p>The {@link PacketEvent}s of the {@code qis-events} repartition topic have the same form: the version byte, a
 * kind byte ({@link #ACCEPTED}, {@link #VOTED}, {@link #CITED}), then the event's fields; byte arrays like strings
 * (a var-int of their length plus one, then the bytes), a nullable double as a presence byte and the double.
 *
 * <p>So do the nodes' tallies ({@link NodeTally}: the id, then three longs) and the packet state's values
 * ({@link PacketState}, {@link VoteEntry}), which the packet state reads and writes
 * on every event: a nullable record (the facts of a pending packet) or Boolean as a presence byte and the value, the
 * exact sum of {@link BackedReports#weightedGain()} as its scale (an int) and its unscaled value's two's-complement
 * bytes, the kept reports as the candidate's are.
 */
public final class CompactSerdes {
    /** The layout written now. */
    public static final byte VERSION = 1;

    /** The kind byte of a {@link PacketEvent.Accepted}. */
    public static final byte ACCEPTED = 1;
    /** The kind byte of a {@link PacketEvent.Voted}. */
    public static final byte VOTED = 2;
    /** The kind byte of a {@link PacketEvent.Cited}. */
    public static final byte CITED = 3;

    private CompactSerdes() {
    }

    /** The events of the {@code qis-events} repartition topic, from ingest to the packet state. */
    public static Serde<PacketEvent> packetEvent() {
        return serde(PacketEvent.class, CompactSerdes::writeEvent, CompactSerdes::readEvent);
    }

    /** The values of {@link StoreNames#PACKETS} and its changelog. */
    public static Serde<PacketState> packetState() {
        return serde(PacketState.class, CompactSerdes::writePacketState, CompactSerdes::readPacketState);
    }

    /** The values of {@link StoreNames#PACKET_VOTES} and its changelog. */
    public static Serde<VoteEntry> voteEntry() {
        return serde(VoteEntry.class, CompactSerdes::writeVoteEntry, CompactSerdes::readVoteEntry);
    }

    /**
     * The values of {@link StoreNames#NODE_TALLIES}, of the node-trust topic and of the global trust store. A tally
     * an earlier build wrote as JSON (it starts with '{', never a version byte) still reads: {@code qis.node-trust} is
     * not an internal topic, so resetting the application does not empty it.
     */
    public static Serde<NodeTally> nodeTally() {
        Serde<NodeTally> binary = serde(NodeTally.class, (w, t) -> {
            w.writeString(t.nodeId());
            w.writeLong(t.packets());
            w.writeLong(t.successes());
            w.writeLong(t.failures());
        }, r -> new NodeTally(r.readString(), r.readLong(), r.readLong(), r.readLong()));
        return readingEarlierJson(binary, NodeTally.class);
    }

    /**
     * {@code binary}, whose deserializer also reads the JSON an earlier build wrote for {@code type}: a JSON value
     * starts with '{', which no binary value of this project does (they start with a version byte).
     */
    public static <T> Serde<T> readingEarlierJson(Serde<T> binary, Class<T> type) {
        Deserializer<T> json = StoreSerdes.json(type).deserializer();
        Deserializer<T> either = (topic, bytes) -> bytes != null && bytes.length > 0 && bytes[0] == '{'
                ? json.deserialize(topic, bytes) : binary.deserializer().deserialize(topic, bytes);
        return Serdes.serdeFrom(binary.serializer(), either);
    }

    public static Serde<Candidate> candidate() {
        return serde(Candidate.class, CompactSerdes::writeCandidate, CompactSerdes::readCandidate);
    }

    public static Serde<DomainStats> domainStats() {
        return serde(DomainStats.class, CompactSerdes::writeStats, CompactSerdes::readStats);
    }

    private static void writeCandidate(Writer w, Candidate c) {
        writeFacts(w, c.facts());
        w.writeDouble(c.curate());
        w.writeLong(c.citations());
        writeReports(w, c.reports());
        w.writeDouble(c.expectedGain());
        w.writeLong(c.successes());
        w.writeLong(c.failures());
        w.writeBoolean(c.listed());
        w.writeDouble(c.logScore());
    }

    private static Candidate readCandidate(Reader r) {
        PacketFacts facts = readFacts(r);
        double curate = r.readDouble();
        long citations = r.readLong();
        TreeMap<String, CandidateReport> reports = readReports(r);
        return new Candidate(facts, curate, citations, reports, r.readDouble(), r.readLong(), r.readLong(),
                r.readBoolean(), r.readDouble());
    }

    private static void writeReports(Writer w, TreeMap<String, CandidateReport> reports) {
        w.writeSize(reports == null ? -1 : reports.size());
        if (reports != null) {
            for (Map.Entry<String, CandidateReport> e : reports.entrySet()) {
                w.writeString(e.getKey());
                CandidateReport r = e.getValue();
                w.writeDouble(r.observedGain());
                w.writeInt(r.nEvalSamples());
                w.writeBoolean(r.reproduced());
                w.writeBoolean(r.backed());
            }
        }
    }

    private static TreeMap<String, CandidateReport> readReports(Reader r) {
        int n = r.readSize();
        if (n < 0) {
            return null;
        }
        TreeMap<String, CandidateReport> reports = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            reports.put(r.readString(), new CandidateReport(r.readDouble(), r.readInt(), r.readBoolean(),
                    r.readBoolean()));
        }
        return reports;
    }

    private static void writePacketState(Writer w, PacketState s) {
        w.writeString(s.packetId());
        w.writeBytes(s.packetBytes());
        w.writeBytes(s.contentHash());
        w.writeBoolean(s.facts() != null);
        if (s.facts() != null) {
            writeFacts(w, s.facts());
        }
        w.writeDouble(s.curate());
        w.writeLong(s.votes());
        w.writeLong(s.citations());
        w.writeLong(s.heldSince());
        BackedReports b = s.backed();
        w.writeBoolean(b != null);
        if (b != null) {
            w.writeLong(b.successes());
            w.writeLong(b.failures());
            w.writeLong(b.weight());
            w.writeDecimal(b.weightedGain());
            writeReports(w, b.heaviest());
        }
    }

    private static PacketState readPacketState(Reader r) {
        String packetId = r.readString();
        byte[] packetBytes = r.readBytes();
        byte[] contentHash = r.readBytes();
        PacketFacts facts = r.readBoolean() ? readFacts(r) : null;
        double curate = r.readDouble();
        long votes = r.readLong();
        long citations = r.readLong();
        long heldSince = r.readLong();
        BackedReports backed = r.readBoolean()
                ? new BackedReports(r.readLong(), r.readLong(), r.readLong(), r.readDecimal(), readReports(r))
                : null;
        return new PacketState(packetId, packetBytes, contentHash, facts, curate, votes, citations, heldSince, backed);
    }

    private static void writeVoteEntry(Writer w, VoteEntry v) {
        w.writeString(v.reportId());
        w.writeLong(v.issuedAt());
        w.writeDouble(v.observedScore());
        w.writeNullableDouble(v.baselineScore());
        w.writeInt(v.nEvalSamples());
        w.writeBoolean(v.reproduced() != null);
        if (v.reproduced() != null) {
            w.writeBoolean(v.reproduced());
        }
        w.writeNullableDouble(v.observedGain());
    }

    private static VoteEntry readVoteEntry(Reader r) {
        return new VoteEntry(r.readString(), r.readLong(), r.readDouble(), r.readNullableDouble(), r.readInt(),
                r.readBoolean() ? r.readBoolean() : null, r.readNullableDouble());
    }

    private static void writeEvent(Writer w, PacketEvent event) {
        if (event instanceof PacketEvent.Accepted a) {
            w.writeByte(ACCEPTED);
            writeFacts(w, a.facts());
            w.writeBytes(a.bytes());
            w.writeBytes(a.contentHash());
        } else if (event instanceof PacketEvent.Voted v) {
            w.writeByte(VOTED);
            w.writeString(v.packetId());
            w.writeString(v.reporterId());
            w.writeString(v.reportId());
            w.writeLong(v.issuedAt());
            w.writeDouble(v.observedScore());
            w.writeNullableDouble(v.baselineScore());
            w.writeInt(v.nEvalSamples());
        } else if (event instanceof PacketEvent.Cited c) {
            w.writeByte(CITED);
            w.writeString(c.packetId());
            w.writeString(c.citingPacketId());
            w.writeString(c.citingNodeId());
        } else {
            throw new SerializationException("cannot write a " + event.getClass().getSimpleName() + " event");
        }
    }

    private static PacketEvent readEvent(Reader r) {
        byte kind = r.readByte();
        return switch (kind) {
            case ACCEPTED -> new PacketEvent.Accepted(readFacts(r), r.readBytes(), r.readBytes());
            case VOTED -> new PacketEvent.Voted(r.readString(), r.readString(), r.readString(), r.readLong(),
                    r.readDouble(), r.readNullableDouble(), r.readInt());
            case CITED -> new PacketEvent.Cited(r.readString(), r.readString(), r.readString());
            default -> throw new IllegalArgumentException("unknown event kind " + kind + " (this build reads "
                    + ACCEPTED + " to " + CITED + ")");
        };
    }

    private static void writeStats(Writer w, DomainStats s) {
        w.writeString(s.domain());
        w.writeLong(s.packets());
        w.writeInt(s.fingerprintCount());
        w.writeInt(s.nodeCount());
        w.writeLong(s.lastSeen());
        w.writeInt(s.candidates());
    }

    private static DomainStats readStats(Reader r) {
        return new DomainStats(r.readString(), r.readLong(), r.readInt(), r.readInt(), r.readLong(), r.readInt());
    }

    private static void writeFacts(Writer w, PacketFacts f) {
        w.writeString(f.packetId());
        w.writeString(f.nodeId());
        w.writeLong(f.issuedAt());
        w.writeString(f.family());
        w.writeString(f.task());
        w.writeStrings(f.tags());
        w.writeString(f.dataScale());
        w.writeString(f.benchmark());
        w.writeString(f.metric());
        w.writeDouble(f.baselineScore());
        w.writeDouble(f.outcomeScore());
        w.writeBoolean(f.higherIsBetter());
        w.writeDouble(f.gain());
        w.writeString(f.methodType());
        Map<String, Object> hp = f.hyperparams();
        w.writeSize(hp == null ? -1 : hp.size());
        if (hp != null) {
            for (Map.Entry<String, Object> e : hp.entrySet()) {
                w.writeString(e.getKey());
                w.writeTagged(e.getKey(), e.getValue());
            }
        }
        w.writeBoolean(f.heldOutEval());
        w.writeInt(f.nEvalSamples());
        w.writeDouble(f.confidence());
        w.writeStrings(f.informedBy());
    }

    private static PacketFacts readFacts(Reader r) {
        String packetId = r.readString();
        String nodeId = r.readString();
        long issuedAt = r.readLong();
        String family = r.readString();
        String task = r.readString();
        List<String> tags = r.readStrings();
        String dataScale = r.readString();
        String benchmark = r.readString();
        String metric = r.readString();
        double baseline = r.readDouble();
        double outcome = r.readDouble();
        boolean higherIsBetter = r.readBoolean();
        double gain = r.readDouble();
        String methodType = r.readString();
        int n = r.readSize();
        Map<String, Object> hp = null;
        if (n >= 0) {
            hp = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                hp.put(r.readString(), r.readTagged());
            }
        }
        return new PacketFacts(packetId, nodeId, issuedAt, family, task, tags, dataScale, benchmark, metric, baseline,
                outcome, higherIsBetter, gain, methodType, hp, r.readBoolean(), r.readInt(), r.readDouble(),
                r.readStrings());
    }

    private interface Write<T> {
        void write(Writer w, T value);
    }

    private interface Read<T> {
        T read(Reader r);
    }

    private static <T> Serde<T> serde(Class<T> type, Write<T> write, Read<T> read) {
        Serializer<T> ser = (topic, value) -> {
            if (value == null) {
                return null;
            }
            Writer w = new Writer();
            w.writeByte(VERSION);
            write.write(w, value);
            return w.toByteArray();
        };
        Deserializer<T> de = (topic, bytes) -> bytes == null ? null : decode(type, read, bytes);
        return Serdes.serdeFrom(ser, de);
    }

    private static <T> T decode(Class<T> type, Read<T> read, byte[] bytes) {
        String what = "not a " + type.getSimpleName() + " (" + bytes.length + " bytes): ";
        if (bytes.length == 0) {
            throw new SerializationException(what + "empty");
        }
        if (bytes[0] != VERSION) {
            throw new SerializationException(what + "unknown version " + bytes[0] + " (this build reads " + VERSION
                    + ")");
        }
        Reader r = new Reader(ByteBuffer.wrap(bytes, 1, bytes.length - 1));
        T value;
        try {
            value = read.read(r);
        } catch (BufferUnderflowException e) {
            throw new SerializationException(what + "ends early", e);
        } catch (IllegalArgumentException e) {
            throw new SerializationException(what + e.getMessage(), e);
        }
        if (r.remaining() != 0) {
            throw new SerializationException(what + r.remaining() + " bytes left after the value");
        }
        return value;
    }

    /** Appends values to a growing byte array. */
    private static final class Writer {
        private byte[] buf = new byte[512];
        private int size;

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        void writeByte(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        void writeBoolean(boolean b) {
            writeByte(b ? 1 : 0);
        }

        void writeInt(int v) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buf[size++] = (byte) (v >>> shift);
            }
        }

        void writeLong(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[size++] = (byte) (v >>> shift);
            }
        }

        void writeDouble(double v) {
            writeLong(Double.doubleToRawLongBits(v));
        }

        /** A presence byte, then the double when present. */
        void writeNullableDouble(Double v) {
            writeBoolean(v != null);
            if (v != null) {
                writeDouble(v);
            }
        }

        /** A decimal exactly: its scale, then its unscaled value's two's-complement bytes (never null). */
        void writeDecimal(BigDecimal v) {
            writeInt(v.scale());
            writeBytes(v.unscaledValue().toByteArray());
        }

        /** A size, or -1 for null, as an unsigned var-int of size + 1. */
        void writeSize(int n) {
            int v = n + 1;
            while ((v & ~0x7F) != 0) {
                writeByte((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            writeByte(v);
        }

        void writeString(String s) {
            writeBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        /** Bytes, or null, like a string: a var-int of the length plus one, then the bytes. */
        void writeBytes(byte[] bytes) {
            writeSize(bytes == null ? -1 : bytes.length);
            if (bytes != null) {
                ensure(bytes.length);
                System.arraycopy(bytes, 0, buf, size, bytes.length);
                size += bytes.length;
            }
        }

        void writeStrings(List<String> list) {
            writeSize(list == null ? -1 : list.size());
            if (list != null) {
                list.forEach(this::writeString);
            }
        }

        void writeTagged(String name, Object v) {
            if (v == null) {
                writeByte('N');
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                writeByte('L');
                writeLong(((Number) v).longValue());
            } else if (v instanceof Double || v instanceof Float) {
                writeByte('D');
                writeDouble(((Number) v).doubleValue());
            } else if (v instanceof String s) {
                writeByte('S');
                writeString(s);
            } else if (v instanceof Boolean b) {
                writeByte('B');
                writeBoolean(b);
            } else {
                throw new SerializationException("hyperparameter " + name + " is a " + v.getClass().getSimpleName()
                        + "; only Long, Double, String and Boolean values are stored");
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }

    /** Reads values back in the order a {@link Writer} wrote them. */
    private static final class Reader {
        private final ByteBuffer in;

        Reader(ByteBuffer in) {
            this.in = in;
        }

        int remaining() {
            return in.remaining();
        }

        byte readByte() {
            return in.get();
        }

        boolean readBoolean() {
            byte b = in.get();
            if (b != 0 && b != 1) {
                throw new IllegalArgumentException("boolean byte " + b);
            }
            return b == 1;
        }

        int readInt() {
            return in.getInt();
        }

        long readLong() {
            return in.getLong();
        }

        double readDouble() {
            return in.getDouble();
        }

        Double readNullableDouble() {
            return readBoolean() ? readDouble() : null;
        }

        BigDecimal readDecimal() {
            int scale = readInt();
            byte[] unscaled = readBytes();
            if (unscaled == null || unscaled.length == 0) {
                throw new IllegalArgumentException("a decimal without digits");
            }
            return new BigDecimal(new BigInteger(unscaled), scale);
        }

        /** A size, or -1 for null. */
        int readSize() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                byte b = in.get();
                v |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    int n = v - 1;
                    if (n < -1 || n > in.remaining()) {
                        throw new IllegalArgumentException("size " + n + " with " + in.remaining() + " bytes left");
                    }
                    return n;
                }
            }
            throw new IllegalArgumentException("size longer than 5 bytes");
        }

        String readString() {
            int n = readSize();
            if (n < 0) {
                return null;
            }
            String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
            in.position(in.position() + n);
            return s;
        }

        byte[] readBytes() {
            int n = readSize();
            if (n < 0) {
                return null;
            }
            byte[] out = new byte[n];
            in.get(out);
            return out;
        }

        List<String> readStrings() {
            int n = readSize();
            if (n < 0) {
                return null;
            }
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(readString());
            }
            return out;
        }

        Object readTagged() {
            byte tag = in.get();
            return switch (tag) {
                case 'N' -> null;
                case 'L' -> in.getLong();
                case 'D' -> in.getDouble();
                case 'S' -> readString();
                case 'B' -> readBoolean();
                default -> throw new IllegalArgumentException("hyperparameter tag " + tag);
            };
        }
    }
}
