package dev.qis.simulation.world;

import dev.qis.simulation.SimulationException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The configurations a node can choose from. The standard space is a grid of 108; the large space has a
 * continuous learning rate, a warmup ratio and a scheduler, and {@link #all()} is then a fixed reference grid over
 * it (what "true best" and "top-3" are measured against). The order of {@link #all()} breaks ties, so runs are
 * reproducible.
 */
public final class ConfigurationGrid {
    public static final List<String> METHODS = List.of("LoRA", "QLoRA", "full", "DPO");
    public static final long[] RANKS = {8, 16, 32};
    public static final double[] LEARNING_RATES = {1e-4, 2e-4, 5e-4};
    public static final long[] EPOCHS = {1, 2, 3};
    /** Large space: the learning rate is log-uniform in [LR_MIN, LR_MAX], rounded to 2 significant digits. */
    public static final double LR_MIN = 5e-5;
    public static final double LR_MAX = 1e-3;
    /** Large space: the learning rates of the reference grid, 9 log-spaced points over [LR_MIN, LR_MAX]. */
    public static final double[] REFERENCE_LEARNING_RATES = referenceRates(9);
    public static final double[] WARMUP_RATIOS = {0.0, 0.03, 0.1};
    public static final List<String> SCHEDULERS = List.of("linear", "cosine");

    private final List<Configuration> configurations;
    private final Map<Configuration, Integer> index = new HashMap<>();
    private final boolean large;

    private ConfigurationGrid(List<Configuration> configurations, boolean large) {
        if (configurations.isEmpty()) {
            throw new SimulationException("a configuration grid needs at least one configuration");
        }
        this.configurations = List.copyOf(configurations);
        for (int i = 0; i < this.configurations.size(); i++) {
            index.putIfAbsent(this.configurations.get(i), i);
        }
        this.large = large;
    }

    /** Methods × ranks × learning rates × epochs: 4 × 3 × 3 × 3 = 108 configurations. */
    public static ConfigurationGrid standard() {
        List<Configuration> all = new ArrayList<>();
        for (String method : METHODS) {
            for (long r : RANKS) {
                for (double lr : LEARNING_RATES) {
                    for (long e : EPOCHS) {
                        all.add(new Configuration(method, r, lr, e));
                    }
                }
            }
        }
        return new ConfigurationGrid(all, false);
    }

    /**
     * The large space: methods × ranks × a continuous learning rate × epochs × warmup ratio × scheduler. Its
     * reference grid takes the 9 learning rates of {@link #REFERENCE_LEARNING_RATES}: 4 × 3 × 9 × 3 × 3 × 2 = 1,944.
     */
    public static ConfigurationGrid large() {
        List<Configuration> all = new ArrayList<>();
        for (String method : METHODS) {
            for (long r : RANKS) {
                for (double lr : REFERENCE_LEARNING_RATES) {
                    for (long e : EPOCHS) {
                        for (double w : WARMUP_RATIOS) {
                            for (String s : SCHEDULERS) {
                                all.add(new Configuration(method, r, lr, e, w, s));
                            }
                        }
                    }
                }
            }
        }
        return new ConfigurationGrid(all, true);
    }

    public static ConfigurationGrid of(List<Configuration> configurations) {
        return new ConfigurationGrid(configurations, false);
    }

    /** Whether this is the large space (a continuous learning rate; {@link #all()} is its reference grid). */
    public boolean isLarge() {
        return large;
    }

    /** Every configuration of the grid (in the large space, the reference grid). */
    public List<Configuration> all() {
        return configurations;
    }

    public int size() {
        return configurations.size();
    }

    /** The configuration's place in {@link #all()}, or -1 (in the large space, most learning rates are off it). */
    public int indexOf(Configuration c) {
        return index.getOrDefault(c, -1);
    }

    /** A uniformly random configuration; in the large space with a log-uniform learning rate. */
    public Configuration random(SplittableRandom rng) {
        if (!large) {
            return configurations.get(rng.nextInt(configurations.size()));
        }
        String method = METHODS.get(rng.nextInt(METHODS.size()));
        long r = RANKS[rng.nextInt(RANKS.length)];
        double lr = roundLearningRate(Math.exp(Math.log(LR_MIN) + rng.nextDouble() * Math.log(LR_MAX / LR_MIN)));
        long epochs = EPOCHS[rng.nextInt(EPOCHS.length)];
        double warmup = WARMUP_RATIOS[rng.nextInt(WARMUP_RATIOS.length)];
        String scheduler = SCHEDULERS.get(rng.nextInt(SCHEDULERS.size()));
        return new Configuration(method, r, lr, epochs, warmup, scheduler);
    }

    /** A learning rate clamped to [LR_MIN, LR_MAX] and rounded to 2 significant digits. */
    public static double roundLearningRate(double lr) {
        double clamped = Math.max(LR_MIN, Math.min(LR_MAX, lr));
        return new BigDecimal(clamped).round(new MathContext(2)).doubleValue();
    }

    private static double[] referenceRates(int points) {
        double[] rates = new double[points];
        for (int i = 0; i < points; i++) {
            rates[i] = roundLearningRate(LR_MIN * Math.pow(LR_MAX / LR_MIN, (double) i / (points - 1)));
        }
        return rates;
    }

    /**
     * The configuration a recommendation stands for: its method, and the nearest rank, learning rate and epochs
     * (on a log scale for rank and rate). Synthesis recommends a configuration some packet ran, so this is usually
     * exact. In the large space the learning rate is kept (clamped and rounded to 2 significant digits), the
     * warmup ratio snaps to the nearest of its values and an unknown scheduler counts as the first. Empty when the
     * method is not one the grid knows.
     */
    public Optional<Configuration> fromRecommendation(String method, Map<String, ?> hyperparams) {
        if (large) {
            if (!METHODS.contains(method)) {
                return Optional.empty();
            }
            long r = nearestLog(RANKS, number(hyperparams.get(Configuration.HP_RANK)));
            long epochs = nearestLog(EPOCHS, number(hyperparams.get(Configuration.HP_EPOCHS)));
            Double lrWanted = number(hyperparams.get(Configuration.HP_LR));
            double lr = lrWanted == null || !(lrWanted > 0) ? REFERENCE_LEARNING_RATES[0] : roundLearningRate(lrWanted);
            Double warmupWanted = number(hyperparams.get(Configuration.HP_WARMUP));
            double warmup = WARMUP_RATIOS[0];
            if (warmupWanted != null) {
                for (double w : WARMUP_RATIOS) {
                    if (Math.abs(w - warmupWanted) < Math.abs(warmup - warmupWanted)) {
                        warmup = w;
                    }
                }
            }
            Object s = hyperparams.get(Configuration.HP_SCHEDULER);
            String scheduler = s != null && SCHEDULERS.contains(s.toString()) ? s.toString() : SCHEDULERS.get(0);
            return Optional.of(new Configuration(method, r, lr, epochs, warmup, scheduler));
        }
        Configuration best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Configuration c : configurations) {
            if (!c.method().equals(method)) {
                continue;
            }
            double d = logDistance(number(hyperparams.get(Configuration.HP_RANK)), c.r())
                    + logDistance(number(hyperparams.get(Configuration.HP_LR)), c.lr())
                    + logDistance(number(hyperparams.get(Configuration.HP_EPOCHS)), c.epochs());
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }

    private static long nearestLog(long[] values, Double wanted) {
        long best = values[0];
        for (long v : values) {
            if (logDistance(wanted, v) < logDistance(wanted, best)) {
                best = v;
            }
        }
        return best;
    }

    private static double logDistance(Double wanted, double actual) {
        if (wanted == null || !(wanted > 0)) {
            return 0;
        }
        return Math.abs(Math.log(wanted) - Math.log(actual));
    }

    private static Double number(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
