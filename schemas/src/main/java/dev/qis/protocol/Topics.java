package dev.qis.protocol;

import java.util.regex.Pattern;

/**
 * The topic names of the protocol, and the headers that ride with a routed packet on a domain topic. One
 * place for every name, so producers, the stream app and subscribers agree.
 */
public final class Topics {
    /** Outcome packets, one topic per fingerprint prefix: {@code qis.outcomes.<p>}, keyed by fingerprint. */
    public static final String OUTCOMES_PREFIX = "qis.outcomes.";
    /** Matches every outcome topic, whatever the prefix length. */
    public static final Pattern OUTCOMES_PATTERN = Pattern.compile("qis\\.outcomes\\.[0-9a-f]+");
    /** Validation reports (VOTEs), keyed by the fingerprint of the voted packet; co-partitioned with outcomes. */
    public static final String VOTES = "qis.votes";
    /** Node keys, keyed by node id; compacted. */
    public static final String NODES = "qis.nodes";
    /** Dead letters: a {@code Rejection} per refused record, keyed by the original key. */
    public static final String REJECTED = "qis.rejected";
    /** Routed packets per domain: {@code qis.domain.<task>}, keyed by fingerprint. */
    public static final String DOMAIN_PREFIX = "qis.domain.";

    /** Hex characters of the fingerprint that name an outcome topic by default (16 topics). */
    public static final int DEFAULT_PREFIX_CHARS = 1;

    /**
     * Headers on a domain topic record, whose value is the original signed packet bytes (so any subscriber can
     * verify the signature itself). Values are UTF-8 decimal strings.
     */
    public static final String HEADER_FIDELITY = "qis.fidelity";
    public static final String HEADER_CURATE = "qis.curate";
    public static final String HEADER_VOTE = "qis.vote";
    public static final String HEADER_TRUST = "qis.trust";
    public static final String HEADER_DECAY = "qis.decay";
    public static final String HEADER_ROUTED_AT = "qis.routed_at";

    private Topics() {
    }

    public static String outcomes(Fingerprint fingerprint, int prefixChars) {
        return OUTCOMES_PREFIX + fingerprint.prefix(prefixChars);
    }

    public static String outcomes(Fingerprint fingerprint) {
        return outcomes(fingerprint, DEFAULT_PREFIX_CHARS);
    }

    /** Every outcome topic for a prefix length: 16^chars of them. */
    public static java.util.List<String> allOutcomeTopics(int prefixChars) {
        int count = 1 << (4 * prefixChars);
        java.util.List<String> topics = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            topics.add(OUTCOMES_PREFIX + String.format("%0" + prefixChars + "x", i));
        }
        return topics;
    }

    /** The domain topic of a task; tasks are validated to characters that are legal in topic names. */
    public static String domain(String task) {
        FieldRules.checkTask(task);
        return DOMAIN_PREFIX + task;
    }
}
