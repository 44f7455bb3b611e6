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
    /** Routed packets per domain: {@code qis.domain.<task>} (see {@link #domain}), keyed by fingerprint. */
    public static final String DOMAIN_PREFIX = "qis.domain.";
    /**
     * Routed packets of domains that have no topic of their own: past the app's cap on domain topics, or while a
     * domain's topic cannot be created. Each record is the signed packet, so its task is inside. Not under
     * {@link #DOMAIN_PREFIX}, so no task can name it.
     */
    public static final String DOMAIN_OVERFLOW = "qis.domain-overflow";
    /** Kafka's limit on a topic name. */
    public static final int MAX_TOPIC_NAME_CHARS = 249;
    /** Hex characters of SHA-256 in the name of a domain topic whose task holds an underscore. */
    static final int DOMAIN_HASH_CHARS = 32;

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

    /**
     * The domain topic of a task, one per task and no two colliding. Kafka treats {@code .} and {@code _} in topic
     * names as the same character (both become {@code _} in metric names), so {@code a.b} and {@code a_b} cannot both
     * be topics. Tasks are 1-32 of {@code [a-z0-9._-]}:
     * <ul>
     *   <li>a task without {@code _} names its topic as it is: {@code qis.domain.code-review};</li>
     *   <li>a task with {@code _} has each {@code _} written {@code -} and a dot plus the first 32 hex characters of
     *       SHA-256 of the task appended: {@code qis.domain.code-review.<hash>} for {@code code_review}.</li>
     * </ul>
     * Names of the first kind hold no {@code _}, so two of them collide only when equal. A name of the second kind is
     * longer than any of the first ({@value FieldRules#MAX_TASK_CHARS} characters at most after the prefix), and two
     * of them collide only when their hashes are equal. The longest name is 76 characters, far below Kafka's 249.
     */
    public static String domain(String task) {
        FieldRules.checkTask(task);
        if (task.indexOf('_') < 0) {
            return DOMAIN_PREFIX + task;
        }
        return DOMAIN_PREFIX + task.replace('_', '-') + "."
                + Digests.sha256Hex(task.getBytes(java.nio.charset.StandardCharsets.UTF_8), DOMAIN_HASH_CHARS);
    }
}
