package dev.qis.registry;

import dev.qis.protocol.ProtocolSchemas;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Turns a signed single-object record into Schema Registry framing for a topic: its writer schema (one the protocol
 * shipped, found by the fingerprint in the record) is registered under the topic's {@code <topic>-value} subject
 * (TopicNameStrategy), the id is cached, and the Avro body is kept byte for byte. A subject this framer creates gets
 * compatibility BACKWARD; an existing subject's setting is left as its owner chose. Registry failures surface as
 * {@link RegistryException}; nothing is cached until the registry has answered, so the next call tries again.
 */
public final class RegistryFramer {
    public static final String COMPATIBILITY = "BACKWARD";

    private final SchemaRegistryClient client;
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    /** Subjects this framer created whose compatibility could not be set yet. */
    private final Set<String> compatibilityPending = ConcurrentHashMap.newKeySet();

    public RegistryFramer(SchemaRegistryClient client) {
        this.client = client;
    }

    /** TopicNameStrategy: the subject of a topic's record values. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    /** The framed record for {@code topic}; throws {@link RegistryException} while the registry cannot give an id. */
    public byte[] frame(String topic, byte[] singleObject) {
        long fingerprint = RegistryFraming.singleObjectFingerprint(singleObject);
        String subject = valueSubject(topic);
        String cacheKey = subject + "/" + Long.toHexString(fingerprint);
        Integer id = ids.get(cacheKey);
        if (id == null) {
            id = register(subject, writerSchema(fingerprint));
            ids.put(cacheKey, id);
        }
        return RegistryFraming.frame(id, RegistryFraming.singleObjectBody(singleObject));
    }

    private int register(String subject, Schema schema) {
        if (client.versions(subject).isEmpty()) {
            compatibilityPending.add(subject);
        }
        int id = client.register(subject, schema);
        if (compatibilityPending.contains(subject)) {
            client.setCompatibility(subject, COMPATIBILITY);
            compatibilityPending.remove(subject);
        }
        return id;
    }

    private static Schema writerSchema(long fingerprint) {
        Schema schema = ProtocolSchemas.store().findByFingerprint(fingerprint);
        if (schema == null) {
            throw new IllegalArgumentException("no shipped schema has fingerprint " + Long.toHexString(fingerprint));
        }
        return schema;
    }
}
