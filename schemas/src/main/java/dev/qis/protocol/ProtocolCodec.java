package dev.qis.protocol;

import dev.qis.protocol.avro.Method;
import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import dev.qis.protocol.avro.ValidationReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.TreeMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire format: Avro single-object encoding (marker C3 01, CRC-64-AVRO schema fingerprint, Avro binary)
 * through Avro's own message encoder and decoder, resolving every shipped schema version. Also the canonical
 * bytes that ids and signatures are computed over.
 */
public final class ProtocolCodec {
    /** The largest serialized, signed packet the protocol accepts. */
    public static final int MAX_PACKET_BYTES = 512;

    private static final BinaryMessageDecoder<OutcomePacket> PACKETS = OutcomePacket.createDecoder(ProtocolSchemas.store());
    private static final BinaryMessageDecoder<ValidationReport> REPORTS = ValidationReport.createDecoder(ProtocolSchemas.store());
    private static final BinaryMessageDecoder<NodeKey> NODE_KEYS = NodeKey.createDecoder(ProtocolSchemas.store());
    private static final BinaryMessageDecoder<Rejection> REJECTIONS = Rejection.createDecoder(ProtocolSchemas.store());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private ProtocolCodec() {
    }

    public static byte[] encode(OutcomePacket packet) {
        return wire(() -> OutcomePacket.getEncoder().encode(packet));
    }

    public static byte[] encode(ValidationReport report) {
        return wire(() -> ValidationReport.getEncoder().encode(report));
    }

    public static byte[] encode(NodeKey nodeKey) {
        return wire(() -> NodeKey.getEncoder().encode(nodeKey));
    }

    public static byte[] encode(Rejection rejection) {
        return wire(() -> Rejection.getEncoder().encode(rejection));
    }

    /** Decodes a packet; throws {@link ProtocolException} with MALFORMED or UNKNOWN_SCHEMA. */
    public static OutcomePacket decodePacket(byte[] bytes) {
        return decode(PACKETS, bytes);
    }

    public static ValidationReport decodeReport(byte[] bytes) {
        return decode(REPORTS, bytes);
    }

    public static NodeKey decodeNodeKey(byte[] bytes) {
        return decode(NODE_KEYS, bytes);
    }

    public static Rejection decodeRejection(byte[] bytes) {
        return decode(REJECTIONS, bytes);
    }

    /**
     * The bytes a packet id is computed over ({@code withId=false}: id and signature empty) or a signature is
     * made over ({@code withId=true}: id set, signature empty). Hyperparameters are written in key order, so
     * any writer's map order gives the same bytes.
     */
    public static byte[] canonical(OutcomePacket packet, boolean withId) {
        OutcomePacket copy = OutcomePacket.newBuilder(packet)
                .setPacketId(withId ? packet.getPacketId() : "")
                .setSignature(EMPTY)
                .setMethod(Method.newBuilder(packet.getMethod())
                        .setHyperparams(new TreeMap<>(packet.getMethod().getHyperparams()))
                        .build())
                .build();
        return raw(copy);
    }

    /** The signed content of a packet, independent of map order: what "byte-identical" means for duplicates. */
    public static byte[] content(OutcomePacket packet) {
        OutcomePacket copy = OutcomePacket.newBuilder(packet)
                .setMethod(Method.newBuilder(packet.getMethod())
                        .setHyperparams(new TreeMap<>(packet.getMethod().getHyperparams()))
                        .build())
                .build();
        return raw(copy);
    }

    /** The bytes a report id ({@code withId=false}) or a report signature ({@code withId=true}) is computed over. */
    public static byte[] canonical(ValidationReport report, boolean withId) {
        ValidationReport copy = ValidationReport.newBuilder(report)
                .setReportId(withId ? report.getReportId() : "")
                .setSignature(EMPTY)
                .build();
        return raw(copy);
    }

    private static byte[] raw(SpecificRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private interface Encoding {
        ByteBuffer run() throws IOException;
    }

    private static byte[] wire(Encoding encoding) {
        try {
            ByteBuffer buffer = encoding.run();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (AvroRuntimeException | NullPointerException | ClassCastException e) {
            throw ProtocolException.invalid(null, "cannot encode: " + e.getMessage());
        }
    }

    private static <T> T decode(BinaryMessageDecoder<T> decoder, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ProtocolException(ReasonCode.MALFORMED, "empty record");
        }
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        T record;
        try {
            record = decoder.decode(in, null);
        } catch (MissingSchemaException e) {
            throw new ProtocolException(ReasonCode.UNKNOWN_SCHEMA, "no shipped schema has fingerprint "
                    + schemaFingerprintHex(bytes));
        } catch (BadHeaderException e) {
            throw new ProtocolException(ReasonCode.MALFORMED, "not Avro single-object encoding: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(ReasonCode.MALFORMED, "undecodable: " + e);
        }
        if (in.available() != 0) {
            throw new ProtocolException(ReasonCode.MALFORMED, in.available() + " trailing bytes after the record");
        }
        return record;
    }

    private static String schemaFingerprintHex(byte[] bytes) {
        if (bytes.length < 10) {
            return "(truncated)";
        }
        byte[] fp = Arrays.copyOfRange(bytes, 2, 10);
        return java.util.HexFormat.of().formatHex(fp);
    }
}
