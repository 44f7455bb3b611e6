package dev.qis.store;

import java.util.Map;

/**
 * A routed packet waiting for the schema registry: the record key (the fingerprint), the domain, the signed
 * single-object bytes, the record timestamp and the {@code qis.*} headers it is written with.
 */
public record PendingRoutedPacket(String key, String domain, byte[] bytes, long timestamp, Map<String, byte[]> headers) {

    /** The store key: fixed-width hex of an arrival sequence, so the store iterates in arrival order. */
    public static String storeKey(long sequence) {
        return String.format("%016x", sequence);
    }
}
