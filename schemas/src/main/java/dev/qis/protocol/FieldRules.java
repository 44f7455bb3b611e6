package dev.qis.protocol;

import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ValidationReport;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The field rules of the protocol; each violation is an INVALID_FIELD naming the field and the value. */
public final class FieldRules {
    public static final int MAX_TAGS = 8;
    public static final int MAX_HYPERPARAMS = 16;
    public static final int MAX_INFORMED_BY = 8;
    /** No record of the protocol is older than this: an earlier timestamp is a wrong clock or a forged age. */
    public static final Instant PROTOCOL_EPOCH = Instant.parse("2024-01-01T00:00:00Z");
    /**
     * The largest relative gain a packet may claim, in either direction (100 = 10,000 %). Beyond it a claim is an
     * error of units or a baseline of about zero, and it would own every election it enters.
     */
    public static final double MAX_RELATIVE_GAIN = 100.0;
    /** Floor of |baseline| when the relative gain is computed, so a zero baseline gives a finite gain. */
    public static final double GAIN_BASELINE_FLOOR = 1e-6;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    /** The longest task name; domain topic names rely on it (see {@link Topics#domain}). */
    public static final int MAX_TASK_CHARS = 32;
    private static final Pattern TASK = Pattern.compile("[a-z0-9._-]{1," + MAX_TASK_CHARS + "}");
    private static final Pattern BENCHMARK = Pattern.compile("[A-Za-z0-9._/:-]{1,64}");
    private static final Pattern TEXT_VALUE = Pattern.compile("[\\x20-\\x7e]{0,64}");

    private FieldRules() {
    }

    public static void checkName(String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw ProtocolException.invalid(field, "must be 1-32 characters of [A-Za-z0-9._-], got " + quote(value));
        }
    }

    public static void checkTask(String value) {
        if (value == null || !TASK.matcher(value).matches()) {
            throw ProtocolException.invalid("task", "must be 1-32 characters of [a-z0-9._-], got " + quote(value));
        }
    }

    public static void checkTags(List<String> tags) {
        if (tags == null) {
            throw ProtocolException.invalid("tags", "missing");
        }
        if (tags.size() > MAX_TAGS) {
            throw ProtocolException.invalid("tags", "at most " + MAX_TAGS + " tags, got " + tags.size());
        }
        Set<String> seen = new HashSet<>();
        for (String tag : tags) {
            checkName("tags", tag);
            if (!seen.add(tag)) {
                throw ProtocolException.invalid("tags", "duplicate tag " + quote(tag));
            }
        }
    }

    public static void checkFinite(String field, double value) {
        if (!Double.isFinite(value)) {
            throw ProtocolException.invalid(field, "must be a finite number, got " + value);
        }
    }

    /** A timestamp of the protocol: present and not before {@link #PROTOCOL_EPOCH}. */
    public static void checkTimestamp(String field, Instant value) {
        if (value == null) {
            throw ProtocolException.invalid(field, "missing");
        }
        if (value.isBefore(PROTOCOL_EPOCH)) {
            throw ProtocolException.invalid(field, "must not be before the protocol epoch " + PROTOCOL_EPOCH
                    + ", got " + value);
        }
    }

    /**
     * The relative gain of an outcome over its baseline, (outcome − baseline) / max(|baseline|, floor), with the
     * sign flipped when lower is better; infinite when the difference overflows.
     */
    public static double relativeGain(double baseline, double outcome, boolean higherIsBetter, double baselineFloor) {
        double g = (outcome - baseline) / Math.max(Math.abs(baseline), baselineFloor);
        return higherIsBetter ? g : -g;
    }

    /** Both scores finite and their relative gain within ±{@link #MAX_RELATIVE_GAIN}. */
    public static void checkScores(double baseline, double outcome, boolean higherIsBetter) {
        checkFinite("baseline_score", baseline);
        checkFinite("outcome_score", outcome);
        double gain = relativeGain(baseline, outcome, higherIsBetter, GAIN_BASELINE_FLOOR);
        if (!(Math.abs(gain) <= MAX_RELATIVE_GAIN)) {
            throw ProtocolException.invalid("outcome_score", "the relative gain over baseline_score " + baseline
                    + " must be within ±" + MAX_RELATIVE_GAIN + " (±" + Math.round(MAX_RELATIVE_GAIN * 100)
                    + " %), got " + gain + " for " + outcome);
        }
    }

    public static void checkConfidence(double confidence) {
        if (!(confidence >= 0.0 && confidence <= 1.0)) {
            throw ProtocolException.invalid("confidence", "must be in [0, 1], got " + confidence);
        }
    }

    public static void checkEvalSamples(int n) {
        if (n <= 0) {
            throw ProtocolException.invalid("n_eval_samples", "must be positive, got " + n);
        }
    }

    public static void checkNodeId(String field, String nodeId) {
        if (!Digests.isLowerHex(nodeId, 16)) {
            throw ProtocolException.invalid(field, "must be 16 lower-case hex characters, got " + quote(nodeId));
        }
    }

    public static void checkHyperparams(Map<String, Object> hyperparams) {
        if (hyperparams == null) {
            throw ProtocolException.invalid("hyperparams", "missing");
        }
        if (hyperparams.size() > MAX_HYPERPARAMS) {
            throw ProtocolException.invalid("hyperparams", "at most " + MAX_HYPERPARAMS + " entries, got " + hyperparams.size());
        }
        for (Map.Entry<String, Object> e : hyperparams.entrySet()) {
            checkName("hyperparams", e.getKey());
            String field = "hyperparams." + e.getKey();
            Object v = e.getValue();
            if (v instanceof Double d) {
                checkFinite(field, d);
            } else if (v instanceof CharSequence s) {
                if (!TEXT_VALUE.matcher(s).matches()) {
                    throw ProtocolException.invalid(field, "text values are 0-64 printable ASCII characters, got " + quote(s.toString()));
                }
            } else if (!(v instanceof Long) && !(v instanceof Boolean)) {
                throw ProtocolException.invalid(field, "must be a long, double, string or boolean, got "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
        }
    }

    public static void checkInformedBy(List<String> ids) {
        if (ids == null) {
            throw ProtocolException.invalid("informed_by", "missing");
        }
        if (ids.size() > MAX_INFORMED_BY) {
            throw ProtocolException.invalid("informed_by", "at most " + MAX_INFORMED_BY + " packet ids, got " + ids.size());
        }
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (!PacketId.isValid(id)) {
                throw ProtocolException.invalid("informed_by", "not a packet id: " + quote(id));
            }
            if (!seen.add(id)) {
                throw ProtocolException.invalid("informed_by", "duplicate packet id " + id);
            }
        }
    }

    /** Every field rule of a packet, except the id and signature which the verifier recomputes. */
    public static void check(OutcomePacket p) {
        checkNodeId("node_id", p.getNodeId());
        checkTimestamp("issued_at", p.getIssuedAt());
        checkName("base_model_family", p.getContext().getBaseModelFamily());
        checkTask(p.getContext().getTask());
        checkTags(p.getContext().getTags());
        if (p.getContext().getDataScale() == null) {
            throw ProtocolException.invalid("data_scale", "missing");
        }
        if (p.getOutcome().getBenchmark() == null || !BENCHMARK.matcher(p.getOutcome().getBenchmark()).matches()) {
            throw ProtocolException.invalid("benchmark", "must be 1-64 characters of [A-Za-z0-9._/:-], got "
                    + quote(p.getOutcome().getBenchmark()));
        }
        checkName("metric", p.getOutcome().getMetric());
        checkScores(p.getOutcome().getBaselineScore(), p.getOutcome().getOutcomeScore(),
                p.getOutcome().getHigherIsBetter());
        checkName("method_type", p.getMethod().getMethodType());
        checkHyperparams(p.getMethod().getHyperparams());
        checkEvalSamples(p.getValidation().getNEvalSamples());
        checkConfidence(p.getValidation().getConfidence());
        checkInformedBy(p.getInformedBy());
        if (p.getInformedBy().contains(p.getPacketId())) {
            throw ProtocolException.invalid("informed_by", "a packet cannot cite itself");
        }
    }

    public static void check(ValidationReport r) {
        checkNodeId("node_id", r.getNodeId());
        if (!PacketId.isValid(r.getPacketId())) {
            throw ProtocolException.invalid("packet_id", "not a packet id: " + quote(r.getPacketId()));
        }
        checkFinite("observed_score", r.getObservedScore());
        if (r.getBaselineScore() != null) {
            checkFinite("baseline_score", r.getBaselineScore());
        }
        checkEvalSamples(r.getNEvalSamples());
        checkTimestamp("issued_at", r.getIssuedAt());
    }

    public static void check(NodeKey key) {
        checkNodeId("node_id", key.getNodeId());
        ByteBuffer pk = key.getPublicKey();
        if (pk == null || pk.remaining() != Ed25519.PUBLIC_KEY_BYTES) {
            throw ProtocolException.invalid("public_key", "expected 32 raw Ed25519 bytes, got "
                    + (pk == null ? "none" : pk.remaining()));
        }
        checkTimestamp("registered_at", key.getRegisteredAt());
    }

    static String quote(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }
}
