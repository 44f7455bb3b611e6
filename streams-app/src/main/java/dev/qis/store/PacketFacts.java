package dev.qis.store;

import dev.qis.fidelity.Elections;
import dev.qis.protocol.avro.OutcomePacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The facts of an accepted packet that scoring and synthesis need, decoded once at acceptance. {@code gain} is
 * the relative gain (sign flipped when lower is better). Hyperparameter values are Long, Double, String, Boolean.
 */
public record PacketFacts(String packetId, String nodeId, long issuedAt, String family, String task,
                          List<String> tags, String dataScale, String benchmark, String metric,
                          double baselineScore, double outcomeScore, boolean higherIsBetter, double gain,
                          String methodType, Map<String, Object> hyperparams, boolean heldOutEval,
                          int nEvalSamples, double confidence, List<String> informedBy) {
    public String fingerprint() {
        return packetId.substring(0, 16);
    }

    /** The facts of a decoded packet, its gain by {@code elections}' rule; hyperparameters in key order. */
    public static PacketFacts of(OutcomePacket p, Elections elections) {
        Map<String, Object> hyperparams = new TreeMap<>();
        for (Map.Entry<String, Object> h : p.getMethod().getHyperparams().entrySet()) {
            Object v = h.getValue();
            hyperparams.put(h.getKey(), v instanceof CharSequence s ? s.toString() : v);
        }
        List<String> tags = new ArrayList<>();
        p.getContext().getTags().forEach(t -> tags.add(t.toString()));
        List<String> informedBy = new ArrayList<>();
        p.getInformedBy().forEach(t -> informedBy.add(t.toString()));
        double gain = elections.gain(p.getOutcome().getBaselineScore(), p.getOutcome().getOutcomeScore(),
                p.getOutcome().getHigherIsBetter());
        return new PacketFacts(p.getPacketId(), p.getNodeId(), p.getIssuedAt().toEpochMilli(),
                p.getContext().getBaseModelFamily(), p.getContext().getTask(), tags,
                p.getContext().getDataScale().name(), p.getOutcome().getBenchmark(), p.getOutcome().getMetric(),
                p.getOutcome().getBaselineScore(), p.getOutcome().getOutcomeScore(),
                p.getOutcome().getHigherIsBetter(), gain, p.getMethod().getMethodType(), hyperparams,
                p.getValidation().getHeldOutEval(), p.getValidation().getNEvalSamples(),
                p.getValidation().getConfidence(), informedBy);
    }
}
