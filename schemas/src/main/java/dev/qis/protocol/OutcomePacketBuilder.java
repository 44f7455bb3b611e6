package dev.qis.protocol;

import dev.qis.protocol.avro.Context;
import dev.qis.protocol.avro.DataScale;
import dev.qis.protocol.avro.Method;
import dev.qis.protocol.avro.Outcome;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Validation;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes a valid, signed packet from plain values: computes the fingerprint, the id and the signature, and
 * refuses anything invalid or over 512 bytes with a {@link ProtocolException} naming the field.
 */
public final class OutcomePacketBuilder {
    private String family;
    private String task;
    private final List<String> tags = new ArrayList<>();
    private DataScale dataScale;
    private String benchmark;
    private String metric;
    private Double baseline;
    private Double outcome;
    private boolean higherIsBetter = true;
    private String methodType;
    private final Map<String, Object> hyperparams = new LinkedHashMap<>();
    private boolean heldOut = true;
    private Integer nEval;
    private Double confidence;
    private final List<String> informedBy = new ArrayList<>();
    private Instant issuedAt;

    public OutcomePacketBuilder family(String family) { this.family = family; return this; }
    public OutcomePacketBuilder task(String task) { this.task = task; return this; }
    public OutcomePacketBuilder tag(String tag) { this.tags.add(tag); return this; }
    public OutcomePacketBuilder tags(Collection<String> tags) { this.tags.addAll(tags); return this; }
    public OutcomePacketBuilder dataScale(DataScale scale) { this.dataScale = scale; return this; }
    public OutcomePacketBuilder benchmark(String benchmark) { this.benchmark = benchmark; return this; }
    public OutcomePacketBuilder metric(String metric) { this.metric = metric; return this; }
    public OutcomePacketBuilder baselineScore(double score) { this.baseline = score; return this; }
    public OutcomePacketBuilder outcomeScore(double score) { this.outcome = score; return this; }
    public OutcomePacketBuilder higherIsBetter(boolean higher) { this.higherIsBetter = higher; return this; }
    public OutcomePacketBuilder methodType(String methodType) { this.methodType = methodType; return this; }
    public OutcomePacketBuilder heldOutEval(boolean heldOut) { this.heldOut = heldOut; return this; }
    public OutcomePacketBuilder nEvalSamples(int n) { this.nEval = n; return this; }
    public OutcomePacketBuilder confidence(double confidence) { this.confidence = confidence; return this; }
    public OutcomePacketBuilder informedBy(String packetId) { this.informedBy.add(packetId); return this; }
    public OutcomePacketBuilder informedBy(Collection<String> ids) { this.informedBy.addAll(ids); return this; }
    public OutcomePacketBuilder issuedAt(Instant at) { this.issuedAt = at; return this; }

    /** A hyperparameter: integers become longs, floats doubles; strings and booleans stay as they are. */
    public OutcomePacketBuilder hyperparam(String name, Object value) {
        hyperparams.put(name, normalize(name, value));
        return this;
    }

    public OutcomePacketBuilder hyperparams(Map<String, ?> values) {
        values.forEach(this::hyperparam);
        return this;
    }

    /** Builds and signs; issued_at defaults to now. */
    public SignedPacket sign(NodeIdentity node) {
        OutcomePacket draft = OutcomePacket.newBuilder()
                .setPacketId("")
                .setNodeId(node.nodeId())
                .setIssuedAt(issuedAt == null ? Instant.ofEpochMilli(System.currentTimeMillis()) : truncate(issuedAt))
                .setContext(Context.newBuilder()
                        .setBaseModelFamily(required("base_model_family", family))
                        .setTask(required("task", task))
                        .setTags(new ArrayList<>(tags))
                        .setDataScale(required("data_scale", dataScale))
                        .build())
                .setOutcome(Outcome.newBuilder()
                        .setBenchmark(required("benchmark", benchmark))
                        .setMetric(required("metric", metric))
                        .setBaselineScore(required("baseline_score", baseline))
                        .setOutcomeScore(required("outcome_score", outcome))
                        .setHigherIsBetter(higherIsBetter)
                        .build())
                .setMethod(Method.newBuilder()
                        .setMethodType(required("method_type", methodType))
                        .setHyperparams(new LinkedHashMap<>(hyperparams))
                        .build())
                .setValidation(Validation.newBuilder()
                        .setHeldOutEval(heldOut)
                        .setNEvalSamples(required("n_eval_samples", nEval))
                        .setConfidence(required("confidence", confidence))
                        .build())
                .setInformedBy(new ArrayList<>(informedBy))
                .setSignature(ByteBuffer.allocate(0))
                .build();
        return seal(draft, node);
    }

    /**
     * Signs a packet assembled elsewhere (an adapter, a simulator): sets node_id, computes the id from the
     * context and the canonical bytes, signs, validates every field and the size.
     */
    public static SignedPacket seal(OutcomePacket draft, NodeIdentity node) {
        OutcomePacket packet = OutcomePacket.newBuilder(draft).setNodeId(node.nodeId()).setPacketId("")
                .setSignature(ByteBuffer.allocate(0)).build();
        packet.getMethod().setHyperparams(new TreeMap<>(packet.getMethod().getHyperparams()));
        FieldRules.check(packet);
        packet.setPacketId(computeId(packet));
        FieldRules.checkInformedBy(packet.getInformedBy());
        if (packet.getInformedBy().contains(packet.getPacketId())) {
            throw ProtocolException.invalid("informed_by", "a packet cannot cite itself");
        }
        packet.setSignature(ByteBuffer.wrap(node.sign(ProtocolCodec.canonical(packet, true))));
        byte[] bytes = ProtocolCodec.encode(packet);
        if (bytes.length > ProtocolCodec.MAX_PACKET_BYTES) {
            throw new ProtocolException(ReasonCode.OVERSIZE, null, "the signed packet is " + bytes.length
                    + " bytes; the limit is " + ProtocolCodec.MAX_PACKET_BYTES
                    + " (shorten tags, hyperparams or informed_by)");
        }
        return new SignedPacket(packet, bytes);
    }

    /** The id a packet must carry: its fingerprint, a dash, 16 hex of SHA-256 over its canonical bytes. */
    public static String computeId(OutcomePacket packet) {
        Fingerprint fp = Fingerprint.of(packet.getContext().getBaseModelFamily(), packet.getContext().getTask(),
                packet.getContext().getTags());
        return fp.value() + "-" + Digests.sha256Hex(ProtocolCodec.canonical(packet, false), 16);
    }

    private static Instant truncate(Instant at) {
        return Instant.ofEpochMilli(at.toEpochMilli());
    }

    private static <T> T required(String field, T value) {
        if (value == null) {
            throw ProtocolException.invalid(field, "missing");
        }
        return value;
    }

    private static Object normalize(String name, Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof Long || value instanceof Double || value instanceof String || value instanceof Boolean) {
            return value;
        }
        throw ProtocolException.invalid("hyperparams." + name, "must be a number, string or boolean, got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }
}
