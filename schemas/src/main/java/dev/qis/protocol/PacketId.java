package dev.qis.protocol;

/** A packet's id: its fingerprint, a dash, and 16 hex of SHA-256 over its canonical bytes. */
public record PacketId(Fingerprint fingerprint, String digest) {
    public static final int LENGTH = Fingerprint.LENGTH + 1 + 16;

    public PacketId {
        if (!Digests.isLowerHex(digest, 16)) {
            throw ProtocolException.invalid("packet_id", "digest must be 16 lower-case hex characters, got '" + digest + "'");
        }
    }

    public static PacketId parse(String id) {
        if (!isValid(id)) {
            throw ProtocolException.invalid("packet_id",
                    "expected <16 hex fingerprint>-<16 hex digest>, got '" + id + "'");
        }
        return new PacketId(new Fingerprint(id.substring(0, 16)), id.substring(17));
    }

    public static boolean isValid(String id) {
        return id != null && id.length() == LENGTH && id.charAt(16) == '-'
                && Digests.isLowerHex(id.substring(0, 16), 16) && Digests.isLowerHex(id.substring(17), 16);
    }

    /** Where a packet lives, read from any reference to it. */
    public static Fingerprint fingerprintOf(String id) {
        return parse(id).fingerprint();
    }

    @Override
    public String toString() {
        return fingerprint.value() + "-" + digest;
    }
}
