package dev.qis.simulation;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The counterfactual without elections: every packet counts the same, Byzantine or not; pick the configuration
 * whose packets claim the best mean gain (the first in grid order on a tie).
 */
public final class NaiveAveraging {
    private final Map<Configuration, double[]> sums = new HashMap<>();

    public void add(Configuration c, double claimedGain) {
        double[] s = sums.computeIfAbsent(c, k -> new double[2]);
        s[0] += claimedGain;
        s[1] += 1;
    }

    public Optional<Configuration> pick(ConfigurationGrid grid) {
        Configuration best = null;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (Configuration c : grid.all()) {
            double[] s = sums.get(c);
            if (s != null && s[0] / s[1] > bestMean) {
                bestMean = s[0] / s[1];
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }
}
