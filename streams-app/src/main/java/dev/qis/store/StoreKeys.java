package dev.qis.store;

/**
 * Key layouts of the stores. Keys are Strings written with the String serde, so their byte order is the text
 * order; '/' (0x2F) sorts below every hex digit and '~' (0x7E) above every legal id character, which makes
 * "prefix/" .. "prefix/~" exactly one prefix.
 */
public final class StoreKeys {
    public static final char SEPARATOR = '/';
    private static final String RANGE_END = "/~";

    private StoreKeys() {
    }

    /** {@code fingerprint/packet_id}: the packet id itself starts with the fingerprint. */
    public static String packet(String packetId) {
        return packetId.substring(0, 16) + SEPARATOR + packetId;
    }

    public static String packetRangeFrom(String fingerprint) {
        return fingerprint + SEPARATOR;
    }

    public static String packetRangeTo(String fingerprint) {
        return fingerprint + RANGE_END;
    }

    /** {@code domain/packet_id}. */
    public static String candidate(String domain, String packetId) {
        return domain + SEPARATOR + packetId;
    }

    public static String candidateRangeFrom(String domain) {
        return domain + SEPARATOR;
    }

    public static String candidateRangeTo(String domain) {
        return domain + RANGE_END;
    }

    /** The packet id at the end of a packet or candidate key. */
    public static String packetIdOf(String key) {
        return key.substring(key.indexOf(SEPARATOR) + 1);
    }
}
