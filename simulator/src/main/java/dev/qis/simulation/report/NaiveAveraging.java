package dev.qis.simulation.report;

import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.ConfigurationGrid;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The counterfactual without elections: every packet counts the same, Byzantine or not; pick the configuration
 * whose packets claim the best mean gain (the first in grid order on a tie; configurations off the grid, as in
 * the large space, come after the grid's, in the order they were first seen).
 */
public final class NaiveAveraging {
    private final Map<Configuration, double[]> sums = new LinkedHashMap<>();

    public void add(Configuration c, double claimedGain) {
        double[] s = sums.computeIfAbsent(c, k -> new double[2]);
        s[0] += claimedGain;
        s[1] += 1;
    }

    public Optional<Configuration> pick(ConfigurationGrid grid) {
        Configuration best = null;
        double bestMean = Double.NEGATIVE_INFINITY;
        int bestIndex = Integer.MAX_VALUE;
        int seen = 0;
        for (Map.Entry<Configuration, double[]> e : sums.entrySet()) {
            int i = grid.indexOf(e.getKey());
            int order = i >= 0 ? i : grid.size() + seen;
            seen++;
            double mean = e.getValue()[0] / e.getValue()[1];
            if (mean > bestMean || (mean == bestMean && order < bestIndex)) {
                bestMean = mean;
                best = e.getKey();
                bestIndex = order;
            }
        }
        return Optional.ofNullable(best);
    }
}
