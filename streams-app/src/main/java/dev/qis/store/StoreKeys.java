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

    /**
     * A candidate's rank key as text whose byte order is the rank order of {@link Candidate#ranksBelow}, lowest
     * first: {@code 0} unlisted or {@code 1} listed, the rank key {@link Candidate#logScore()} as 16 hex digits
     * of its order-preserving bits, the packet id with each hex digit complemented (a larger id ranks lower, so
     * it sorts first), then {@code /} and the packet id itself.
     */
    public static String rank(Candidate c) {
        String id = c.packetId();
        StringBuilder b = new StringBuilder(1 + 16 + 2 * id.length() + 1);
        b.append(c.listed() ? '1' : '0');
        long bits = Double.doubleToLongBits(c.logScore());
        long ordered = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
        String hex = Long.toHexString(ordered);
        b.append("0".repeat(16 - hex.length())).append(hex);
        for (int i = 0; i < id.length(); i++) {
            int digit = Character.digit(id.charAt(i), 16);
            b.append(digit < 0 ? id.charAt(i) : Character.forDigit(15 - digit, 16));
        }
        return b.append(SEPARATOR).append(id).toString();
    }

    /** The packet id at the end of a {@link #rank} or a rank-index key. */
    public static String packetIdOfRank(String rankOrKey) {
        return rankOrKey.substring(rankOrKey.lastIndexOf(SEPARATOR) + 1);
    }

    /** {@code domain/r/rank}: a domain's candidates in rank order, lowest first. */
    public static String domainRank(String domain, String rank) {
        return domainRankFrom(domain) + rank;
    }

    public static String domainRankFrom(String domain) {
        return domain + "/r/";
    }

    public static String domainRankTo(String domain) {
        return domain + "/r" + RANGE_END;
    }

    /** {@code domain/n/node_id/rank}: one node's candidates in a domain, in rank order, lowest first. */
    public static String nodeRank(String domain, String nodeId, String rank) {
        return nodeRankFrom(domain, nodeId) + rank;
    }

    public static String nodeRankFrom(String domain, String nodeId) {
        return domain + "/n/" + nodeId + SEPARATOR;
    }

    public static String nodeRankTo(String domain, String nodeId) {
        return domain + "/n/" + nodeId + RANGE_END;
    }

    /** {@code domain/f/fingerprint}: a fingerprint that published in the domain. */
    public static String domainFingerprint(String domain, String fingerprint) {
        return domain + "/f/" + fingerprint;
    }

    /** {@code domain/n/node_id}: a node that published in the domain. */
    public static String domainNode(String domain, String nodeId) {
        return domain + "/n/" + nodeId;
    }

    /** The packet id at the end of a packet or candidate key. */
    public static String packetIdOf(String key) {
        return key.substring(key.indexOf(SEPARATOR) + 1);
    }
}
