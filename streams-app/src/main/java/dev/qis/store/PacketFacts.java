package dev.qis.store;

import java.util.List;
import java.util.Map;

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
}
