package dev.qis.fidelity;

import java.util.List;
import java.util.Map;

/**
 * One packet as synthesis sees it: its context, method, claimed gain and its fidelity at the time of asking.
 * Hyperparameter values are Long, Double, String or Boolean, as in the protocol.
 */
public record Evidence(String packetId, String nodeId, String family, String task, List<String> tags,
                       String methodType, Map<String, Object> hyperparams, double gain, double fidelity) {
    public Evidence {
        tags = List.copyOf(tags);
        hyperparams = Map.copyOf(hyperparams);
    }
}
