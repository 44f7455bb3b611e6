package dev.qis.registry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The two wire formats a consumer-facing record can have, and the way from one to the other. Schema Registry
 * framing: magic byte 0, the schema id as a 4-byte big-endian integer, the Avro binary body. Avro single-object
 * encoding: marker C3 01, the schema's 8-byte little-endian CRC-64-AVRO fingerprint, the same Avro binary body.
 * The body is never re-encoded, so a framed packet carries byte for byte what its author signed.
 */
public final class RegistryFraming {
    public static final byte MAGIC = 0;
    public static final int HEADER_BYTES = 5;
    private static final int SINGLE_OBJECT_HEADER_BYTES = 10;

    private RegistryFraming() {
    }

    /** Magic byte, schema id, body. */
    public static byte[] frame(int schemaId, byte[] avroBody) {
        return ByteBuffer.allocate(HEADER_BYTES + avroBody.length).order(ByteOrder.BIG_ENDIAN)
                .put(MAGIC).putInt(schemaId).put(avroBody).array();
    }

    /** True for Schema Registry framing (a single-object record starts with C3, never with 0). */
    public static boolean isFramed(byte[] value) {
        return value != null && value.length >= HEADER_BYTES && value[0] == MAGIC;
    }

    /** The schema id of a framed record. */
    public static int schemaId(byte[] framed) {
        requireFramed(framed);
        return ByteBuffer.wrap(framed, 1, 4).order(ByteOrder.BIG_ENDIAN).getInt();
    }

    /** The Avro binary body of a framed record. */
    public static byte[] body(byte[] framed) {
        requireFramed(framed);
        return Arrays.copyOfRange(framed, HEADER_BYTES, framed.length);
    }

    /** True for Avro single-object encoding (marker C3 01 and room for a fingerprint). */
    public static boolean isSingleObject(byte[] value) {
        return value != null && value.length >= SINGLE_OBJECT_HEADER_BYTES
                && value[0] == (byte) 0xC3 && value[1] == (byte) 0x01;
    }

    /** The CRC-64-AVRO fingerprint of the writer schema of a single-object record. */
    public static long singleObjectFingerprint(byte[] singleObject) {
        requireSingleObject(singleObject);
        return ByteBuffer.wrap(singleObject, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** The Avro binary body of a single-object record. */
    public static byte[] singleObjectBody(byte[] singleObject) {
        requireSingleObject(singleObject);
        return Arrays.copyOfRange(singleObject, SINGLE_OBJECT_HEADER_BYTES, singleObject.length);
    }

    /**
     * The single-object record a framed body came from: marker, the fingerprint of {@code writer} (the schema the
     * registry holds under the frame's id) and the body. This is how a domain record is verified by itself.
     */
    public static byte[] toSingleObject(Schema writer, byte[] avroBody) {
        return ByteBuffer.allocate(SINGLE_OBJECT_HEADER_BYTES + avroBody.length)
                .put((byte) 0xC3).put((byte) 0x01)
                .order(ByteOrder.LITTLE_ENDIAN).putLong(SchemaNormalization.parsingFingerprint64(writer))
                .put(avroBody).array();
    }

    private static void requireFramed(byte[] value) {
        if (!isFramed(value)) {
            throw new IllegalArgumentException("not Schema Registry framing (magic byte 0 and a 4-byte schema id)");
        }
    }

    private static void requireSingleObject(byte[] value) {
        if (!isSingleObject(value)) {
            throw new IllegalArgumentException("not Avro single-object encoding (marker C3 01 and a fingerprint)");
        }
    }
}
