package dev.qis.store;

/**
 * An input record kept by ingest while its node's key has not reached the node-key store yet: the original
 * key and value bytes, the record timestamp, where it was read, the wall-clock time it was first seen, and the node
 * whose key it waits for.
 */
public record HeldRecord(byte[] key, byte[] value, long timestamp, String topic, int partition, long offset,
                         long firstSeen, String nodeId) {

    /** The prefix of every store key of one node's records. */
    public static String nodePrefix(String nodeId) {
        return nodeId + "/";
    }

    /**
     * The store key: the node id first (a node's records are one range, found when its key arrives), then oldest
     * first within the node (fixed-width hex time), unique by source coordinates.
     */
    public String storeKey() {
        return String.format("%s%016x/%s/%d/%d", nodePrefix(nodeId), firstSeen, topic, partition, offset);
    }
}
