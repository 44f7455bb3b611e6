package dev.qis.registry;

import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.ProtocolSchemas;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Reads a domain record in either wire format: Avro single-object encoding (no registry needed) or Schema Registry
 * framing (the writer schema is read from the registry by the id in the frame). Also gives back the signed
 * single-object record a framed one carries, so a routed packet can be verified on its own.
 *
 * <p>Without a registry, a framed record is still readable: its body was written with one of the protocol's shipped
 * schema versions, and only the right one decodes to a packet whose id is the hash of its own content. The reader
 * tries each and takes the one that passes that check (the id is a SHA-256 prefix: a wrong schema cannot pass it by
 * accident).
 */
public final class DomainRecordReader {
    private final Optional<SchemaRegistryClient> registry;
    /** Without a registry: the shipped schema each schema id was found to name. */
    private final Map<Integer, Schema> shippedById = new ConcurrentHashMap<>();

    public DomainRecordReader(Optional<SchemaRegistryClient> registry) {
        this.registry = registry;
    }

    /** The packet; a framed one is read with the registry's writer schema, resolved to the current schema. */
    public OutcomePacket decode(byte[] value) {
        if (!RegistryFraming.isFramed(value)) {
            return ProtocolCodec.decodePacket(value);
        }
        int id = RegistryFraming.schemaId(value);
        byte[] body = RegistryFraming.body(value);
        return read(writerSchemaOrShipped(id, body), body, id);
    }

    /** The single-object record itself, or the one a framed record was made from (same body, fingerprint header). */
    public byte[] toSingleObject(byte[] value) {
        if (!RegistryFraming.isFramed(value)) {
            return value;
        }
        int id = RegistryFraming.schemaId(value);
        byte[] body = RegistryFraming.body(value);
        Schema writer = writerSchemaOrShipped(id, body);
        read(writer, body, id);
        return RegistryFraming.toSingleObject(writer, body);
    }

    private Schema writerSchema(int id) {
        return registry.isPresent() ? registry.get().schemaById(id) : null;
    }

    /** The shipped packet schema that decodes {@code body} to a packet whose id matches its content. */
    private static Optional<Schema> shippedWriterOf(byte[] body) {
        for (Schema candidate : ProtocolSchemas.shipped()) {
            if (!candidate.getFullName().equals(OutcomePacket.getClassSchema().getFullName())) {
                continue;
            }
            try {
                OutcomePacket packet = read(candidate, body, -1);
                if (OutcomePacketBuilder.computeId(packet).equals(packet.getPacketId())) {
                    return Optional.of(candidate);
                }
            } catch (RuntimeException wrongSchema) {
                // not this version
            }
        }
        return Optional.empty();
    }

    private Schema writerSchemaOrShipped(int id, byte[] body) {
        Schema writer = writerSchema(id);
        if (writer != null) {
            return writer;
        }
        Schema known = shippedById.get(id); // one id names one schema: the search runs once per id, not per record
        if (known != null) {
            return known;
        }
        Schema found = shippedWriterOf(body).orElseThrow(() -> new ProtocolException(ReasonCode.UNKNOWN_SCHEMA,
                "the record is in Schema Registry framing (schema id " + id + "), no schema registry is configured"
                        + " (set " + RegistrySettings.URL + ") and no shipped protocol schema reads it"));
        shippedById.put(id, found);
        return found;
    }

    /** The body must be exactly one record of the writer schema (Avro binary has no end marker of its own). */
    private static OutcomePacket read(Schema writer, byte[] body, int id) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(body, null);
        try {
            OutcomePacket packet = new SpecificDatumReader<OutcomePacket>(writer, OutcomePacket.getClassSchema())
                    .read(null, decoder);
            if (!decoder.isEnd()) {
                throw new ProtocolException(ReasonCode.MALFORMED, "trailing bytes after the record (schema id " + id + ")");
            }
            return packet;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ProtocolException p) {
                throw p;
            }
            throw new ProtocolException(ReasonCode.MALFORMED, "undecodable with schema id " + id + ": " + e);
        }
    }
}
