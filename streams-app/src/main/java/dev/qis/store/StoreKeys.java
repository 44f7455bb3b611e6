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

    /** {@code fingerprint/packet_id/sub}: one report, citation or backer of a packet (sub: a node or packet id). */
    public static String entry(String packetId, String sub) {
        return packet(packetId) + SEPARATOR + sub;
    }

    public static String entryRangeFrom(String packetId) {
        return packet(packetId) + SEPARATOR;
    }

    public static String entryRangeTo(String packetId) {
        return packet(packetId) + RANGE_END;
    }

    /** The node or packet id at the end of an entry key. */
    public static String subOf(String entryKey) {
        return entryKey.substring(entryKey.lastIndexOf(SEPARATOR) + 1);
    }

    /** {@code since/fingerprint/packet_id}, since zero-padded to 19 digits so text order is time order. */
    public static String pending(long since, String packetId) {
        return pendingUpTo(since) + packet(packetId);
    }

    /** A range end: every pending key held since before {@code since} sorts below it, every later one above. */
    public static String pendingUpTo(long since) {
        return String.format("%019d", Math.max(since, 0)) + SEPARATOR;
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
