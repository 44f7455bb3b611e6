package dev.qis.simulation.world;

import dev.qis.simulation.SimulationException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The hidden truth of one domain: the gain each configuration really gives each model family. Nodes only ever
 * see it through noisy evaluations; the report uses it to score what they chose.
 */
public final class TrueEffects {
    /** Depth of the response-surface bowl: gain lost per unit of squared distance from the optimum. */
    static final double CURVATURE = 0.05;
    /** Spread of the domain's base gain and of each method's offset. */
    static final double BASE_MIN = 0.04;
    static final double BASE_MAX = 0.10;
    static final double METHOD_SD = 0.02;
    /** Family × method × domain interaction: what makes cross-family evidence imperfect. */
    static final double INTERACTION_SD = 0.002;
    /** Large space: spread of the per-domain, per-method gain of the cosine scheduler over the linear one. */
    static final double SCHEDULER_SD = 0.01;

    /** The gain of any configuration of the space for a family (by index), not only of the grid's. */
    @FunctionalInterface
    interface Surface {
        double gain(int family, Configuration c);
    }

    private final ConfigurationGrid grid;
    private final List<String> families;
    private final double[][] gains;
    private final double[][] sortedGains;
    private final Surface surface;

    private TrueEffects(ConfigurationGrid grid, List<String> families, double[][] gains, Surface surface) {
        this.grid = grid;
        this.families = List.copyOf(families);
        this.gains = gains;
        this.sortedGains = new double[gains.length][];
        for (int f = 0; f < gains.length; f++) {
            sortedGains[f] = gains[f].clone();
            java.util.Arrays.sort(sortedGains[f]);
        }
        this.surface = surface;
    }

    /** An explicit table: {@code gains[family][configuration index]}. */
    public static TrueEffects of(ConfigurationGrid grid, List<String> families, double[][] gains) {
        if (gains.length != families.size()) {
            throw new SimulationException("true effects: " + gains.length + " rows for " + families.size() + " families");
        }
        double[][] copy = new double[gains.length][];
        for (int f = 0; f < gains.length; f++) {
            if (gains[f].length != grid.size()) {
                throw new SimulationException("true effects: " + gains[f].length + " gains for " + grid.size()
                        + " configurations");
            }
            copy[f] = gains[f].clone();
        }
        return new TrueEffects(grid, families, copy, null);
    }

    /**
     * A smooth response surface: a quadratic bowl per method in (log rank, log learning rate, epochs) around a
     * domain-specific optimum, plus a domain base gain, a per-method offset, a per-family-and-method offset
     * shared by all domains and a small family × method × domain interaction. In the large space the bowl gains a
     * fourth axis, the warmup ratio, and the cosine scheduler adds a per-domain, per-method offset.
     *
     * @param familyOffsets {@code [family][method]}, drawn once per world
     */
    static TrueEffects generate(ConfigurationGrid grid, List<String> families, double[][] familyOffsets,
            SplittableRandom rng) {
        int methods = ConfigurationGrid.METHODS.size();
        double base = BASE_MIN + rng.nextDouble() * (BASE_MAX - BASE_MIN);
        double[] methodOffset = new double[methods];
        double[][] optimum = new double[methods][4];
        for (int m = 0; m < methods; m++) {
            methodOffset[m] = gaussian(rng) * METHOD_SD;
            for (int axis = 0; axis < 3; axis++) {
                optimum[m][axis] = rng.nextDouble();
            }
        }
        double[][] interaction = new double[families.size()][methods];
        for (int f = 0; f < families.size(); f++) {
            for (int m = 0; m < methods; m++) {
                interaction[f][m] = gaussian(rng) * INTERACTION_SD;
            }
        }
        // Drawn after everything the standard space draws, so a seed gives the standard space the same world.
        double[] cosine = new double[methods];
        if (grid.isLarge()) {
            for (int m = 0; m < methods; m++) {
                optimum[m][3] = rng.nextDouble();
                cosine[m] = gaussian(rng) * SCHEDULER_SD;
            }
        }
        int axes = grid.isLarge() ? 4 : 3;
        Surface surface = (f, c) -> {
            int m = Math.max(0, ConfigurationGrid.METHODS.indexOf(c.method()));
            double[] x = grid.isLarge() ? largeCoordinates(c) : coordinates(c);
            double distance2 = 0;
            for (int axis = 0; axis < axes; axis++) {
                distance2 += (x[axis] - optimum[m][axis]) * (x[axis] - optimum[m][axis]);
            }
            double scheduler = "cosine".equals(c.scheduler()) ? cosine[m] : 0;
            return base + methodOffset[m] + familyOffsets[f][m] + interaction[f][m] + scheduler - CURVATURE * distance2;
        };
        double[][] gains = new double[families.size()][grid.size()];
        for (int i = 0; i < grid.size(); i++) {
            for (int f = 0; f < families.size(); f++) {
                gains[f][i] = surface.gain(f, grid.all().get(i));
            }
        }
        return new TrueEffects(grid, families, gains, grid.isLarge() ? surface : null);
    }

    /** Rank, learning rate and epochs mapped to [0, 1] each (log scale for the first two). */
    static double[] coordinates(Configuration c) {
        return new double[] {
            Math.log((double) c.r() / ConfigurationGrid.RANKS[0]) / Math.log(4),
            Math.log(c.lr() / ConfigurationGrid.LEARNING_RATES[0]) / Math.log(5),
            (c.epochs() - 1) / 2.0
        };
    }

    /** Large space: rank, learning rate over [LR_MIN, LR_MAX], epochs and warmup ratio, each in [0, 1]. */
    static double[] largeCoordinates(Configuration c) {
        double warmup = c.warmupRatio() == null ? 0 : c.warmupRatio();
        return new double[] {
            Math.log((double) c.r() / ConfigurationGrid.RANKS[0]) / Math.log(4),
            Math.log(c.lr() / ConfigurationGrid.LR_MIN) / Math.log(ConfigurationGrid.LR_MAX / ConfigurationGrid.LR_MIN),
            (c.epochs() - 1) / 2.0,
            warmup / ConfigurationGrid.WARMUP_RATIOS[ConfigurationGrid.WARMUP_RATIOS.length - 1]
        };
    }

    public static double gaussian(SplittableRandom rng) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public double gain(String family, Configuration c) {
        int i = grid.indexOf(c);
        if (i >= 0) {
            return gains[familyIndex(family)][i];
        }
        if (surface != null && ConfigurationGrid.METHODS.contains(c.method())) {
            return surface.gain(familyIndex(family), c);
        }
        throw new SimulationException("not a configuration of this world: " + c.label());
    }

    /** The k-th largest true gain over the grid (k = 1: the best), for top-k hit rates. */
    public double kthBestGain(String family, int k) {
        double[] sorted = sortedGains[familyIndex(family)];
        return sorted[Math.max(0, sorted.length - Math.max(1, k))];
    }

    /** Whether a configuration is among the k truly best: its true gain at least the grid's k-th best. */
    public boolean inTop(String family, Configuration c, int k) {
        return gain(family, c) >= kthBestGain(family, k);
    }

    /** The one true best configuration for a family (the first in grid order on an exact tie). */
    public Configuration best(String family) {
        double[] row = gains[familyIndex(family)];
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return grid.all().get(best);
    }

    public double bestGain(String family) {
        return gain(family, best(family));
    }

    /** What a node that picks uniformly at random gains on average: the no-coordination expectation. */
    public double meanGain(String family) {
        double sum = 0;
        for (double g : gains[familyIndex(family)]) {
            sum += g;
        }
        return sum / grid.size();
    }

    private int familyIndex(String family) {
        int f = families.indexOf(family);
        if (f < 0) {
            throw new SimulationException("not a family of this world: " + family);
        }
        return f;
    }
}
