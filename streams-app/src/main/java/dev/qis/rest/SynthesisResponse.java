package dev.qis.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.qis.fidelity.Recommendation;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A synthesized recommendation: a configuration some packet ran, its expected gain with a 95 % interval, the packets
 * behind it heaviest first (what the caller cites in {@code informed_by}) with their contributions, and an
 * exploration alternative. {@code fingerprint} is set only for a fingerprint's synthesis.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SynthesisResponse(String domain, String fingerprint, String family, List<String> tags,
                                String methodType, Map<String, Object> hyperparams, double expectedGain,
                                double expectedGainLow, double expectedGainHigh,
                                int evidenceCount, int distinctNodes, List<String> packetIds,
                                List<Contribution> evidence, Exploration exploration) {

    /** One packet's part in the expected gain: its weight (eval-sample equivalents) and its own measured gain. */
    public record Contribution(String packetId, String nodeId, double weight, double gain) {
    }

    /** The configuration with the highest upper bound besides the recommendation. */
    public record Exploration(String methodType, Map<String, Object> hyperparams, double expectedGain,
                              double upperBound, List<String> packetIds) {
    }

    static SynthesisResponse of(String domain, String fingerprint, String family, List<String> tags,
                                Recommendation r) {
        Recommendation.Alternative a = r.exploration();
        return new SynthesisResponse(domain, fingerprint, family, tags, r.methodType(), sorted(r.hyperparams()),
                r.expectedGain(), r.expectedGainLow(), r.expectedGainHigh(), r.evidenceCount(), r.distinctNodes(),
                r.packetIds(), r.contributions().stream()
                        .map(c -> new Contribution(c.packetId(), c.nodeId(), c.weight(), c.gain())).toList(),
                a == null ? null : new Exploration(a.methodType(), sorted(a.hyperparams()), a.expectedGain(),
                        a.upperBound(), a.packetIds()));
    }

    /**
     * Hyperparameters by name, as a packet shows them: the same answer is the same bytes on every instance and
     * every run (an unordered map's order may differ between JVMs).
     */
    private static Map<String, Object> sorted(Map<String, Object> hyperparams) {
        return hyperparams == null ? null : new TreeMap<>(hyperparams);
    }
}
