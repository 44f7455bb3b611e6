package dev.qis.simulation;

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

    private final ConfigurationGrid grid;
    private final List<String> families;
    private final double[][] gains;

    private TrueEffects(ConfigurationGrid grid, List<String> families, double[][] gains) {
        this.grid = grid;
        this.families = List.copyOf(families);
        this.gains = gains;
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
        return new TrueEffects(grid, families, copy);
    }

    /**
     * A smooth response surface: a quadratic bowl per method in (log rank, log learning rate, epochs) around a
     * domain-specific optimum, plus a domain base gain, a per-method offset, a per-family-and-method offset
     * shared by all domains and a small family × method × domain interaction.
     *
     * @param familyOffsets {@code [family][method]}, drawn once per world
     */
    static TrueEffects generate(ConfigurationGrid grid, List<String> families, double[][] familyOffsets,
            SplittableRandom rng) {
        int methods = ConfigurationGrid.METHODS.size();
        double base = BASE_MIN + rng.nextDouble() * (BASE_MAX - BASE_MIN);
        double[] methodOffset = new double[methods];
        double[][] optimum = new double[methods][3];
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
        double[][] gains = new double[families.size()][grid.size()];
        for (int i = 0; i < grid.size(); i++) {
            Configuration c = grid.all().get(i);
            int m = Math.max(0, ConfigurationGrid.METHODS.indexOf(c.method()));
            double[] x = coordinates(c);
            double distance2 = 0;
            for (int axis = 0; axis < 3; axis++) {
                distance2 += (x[axis] - optimum[m][axis]) * (x[axis] - optimum[m][axis]);
            }
            for (int f = 0; f < families.size(); f++) {
                gains[f][i] = base + methodOffset[m] + familyOffsets[f][m] + interaction[f][m] - CURVATURE * distance2;
            }
        }
        return new TrueEffects(grid, families, gains);
    }

    /** Rank, learning rate and epochs mapped to [0, 1] each (log scale for the first two). */
    static double[] coordinates(Configuration c) {
        return new double[] {
            Math.log((double) c.r() / ConfigurationGrid.RANKS[0]) / Math.log(4),
            Math.log(c.lr() / ConfigurationGrid.LEARNING_RATES[0]) / Math.log(5),
            (c.epochs() - 1) / 2.0
        };
    }

    static double gaussian(SplittableRandom rng) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public double gain(String family, Configuration c) {
        int i = grid.indexOf(c);
        if (i < 0) {
            throw new SimulationException("not a configuration of this world: " + c.label());
        }
        return gains[familyIndex(family)][i];
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
