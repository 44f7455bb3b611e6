package dev.qis.fidelity;

import java.util.List;
import java.util.Map;

/**
 * What synthesis recommends for a context: the method, its hyperparameters, the expected gain and the
 * evidence behind it. {@code packetIds} is what the caller puts in {@code informed_by} when it publishes.
 */
public record Recommendation(String methodType, Map<String, Object> hyperparams, double expectedGain,
                             int evidenceCount, int distinctNodes, List<String> packetIds, double totalWeight) {
    public Recommendation {
        hyperparams = Map.copyOf(hyperparams);
        packetIds = List.copyOf(packetIds);
    }
}
