package dev.qis.store;

/**
 * An input record kept by ingest while its node's key has not reached the node-key store yet: the original
 * key and value bytes, the record timestamp, where it was read, and the wall-clock time it was first seen.
 */
public record HeldRecord(byte[] key, byte[] value, long timestamp, String topic, int partition, long offset,
                         long firstSeen) {

    /** The store key: oldest first (fixed-width hex time), unique by source coordinates. */
    public String storeKey() {
        return String.format("%016x/%s/%d/%d", firstSeen, topic, partition, offset);
    }
}
