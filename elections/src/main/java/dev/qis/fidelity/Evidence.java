package dev.qis.fidelity;

import java.util.List;
import java.util.Map;

/**
 * One packet as synthesis sees it: its context, its configuration (method and hyperparameters) and its
 * measurements — the claim and the backed reproductions — each weight already carrying the measurer's trust and
 * the packet's decay. Hyperparameter values are Long, Double, String or Boolean, as in the protocol.
 */
public record Evidence(String packetId, String nodeId, String family, String task, List<String> tags,
                       String methodType, Map<String, Object> hyperparams, List<Measurement> measurements) {
    public Evidence {
        tags = List.copyOf(tags);
        hyperparams = Map.copyOf(hyperparams);
        measurements = List.copyOf(measurements);
    }

    /** Total weight of the measurements. */
    public double weight() {
        double w = 0;
        for (Measurement m : measurements) {
            if (m.weight() > 0 && Double.isFinite(m.weight()) && Double.isFinite(m.gain())) {
                w += m.weight();
            }
        }
        return w;
    }

    /** Sum of weight × gain over the measurements. */
    public double weightedGain() {
        double wg = 0;
        for (Measurement m : measurements) {
            if (m.weight() > 0 && Double.isFinite(m.weight()) && Double.isFinite(m.gain())) {
                wg += m.weight() * m.gain();
            }
        }
        return wg;
    }
}
