package dev.qis.fidelity;

import java.util.List;
import java.util.Map;

/**
 * What synthesis recommends for a context: a configuration some packet actually ran, its expected gain with a
 * 95 % interval, the evidence behind it (heaviest first: what a caller cites in {@code informed_by}), and an
 * exploration alternative — the configuration with the highest upper bound other than this one — for a caller
 * that means to explore rather than follow the swarm.
 *
 * @param packetIds     the packets of the recommended configuration, by contribution, heaviest first
 * @param totalWeight   the evidence weight behind the expected gain (eval-sample equivalents, prior excluded)
 * @param contributions each packet's part in the estimate, heaviest first
 * @param exploration   the alternative worth trying, or null when the evidence holds a single configuration
 */
public record Recommendation(String methodType, Map<String, Object> hyperparams, double expectedGain,
                             double expectedGainLow, double expectedGainHigh, int evidenceCount,
                             int distinctNodes, List<String> packetIds, double totalWeight,
                             List<Contribution> contributions, Alternative exploration) {
    public Recommendation {
        hyperparams = Map.copyOf(hyperparams);
        packetIds = List.copyOf(packetIds);
        contributions = List.copyOf(contributions);
    }

    /** One packet's part: its weight in the recommended configuration's estimate and its own measured gain. */
    public record Contribution(String packetId, String nodeId, double weight, double gain) {
    }

    /** An exploration alternative: its configuration, expected gain, upper bound and the packets behind it. */
    public record Alternative(String methodType, Map<String, Object> hyperparams, double expectedGain,
                              double upperBound, List<String> packetIds) {
        public Alternative {
            hyperparams = Map.copyOf(hyperparams);
            packetIds = List.copyOf(packetIds);
        }
    }
}
