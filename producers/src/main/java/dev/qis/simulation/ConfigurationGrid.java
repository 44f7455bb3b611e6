package dev.qis.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** The configurations a node can choose from, in a fixed order (the order breaks ties, so runs are reproducible). */
public final class ConfigurationGrid {
    public static final List<String> METHODS = List.of("LoRA", "QLoRA", "full", "DPO");
    public static final long[] RANKS = {8, 16, 32};
    public static final double[] LEARNING_RATES = {1e-4, 2e-4, 5e-4};
    public static final long[] EPOCHS = {1, 2, 3};

    private final List<Configuration> configurations;

    private ConfigurationGrid(List<Configuration> configurations) {
        if (configurations.isEmpty()) {
            throw new SimulationException("a configuration grid needs at least one configuration");
        }
        this.configurations = List.copyOf(configurations);
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
        return new ConfigurationGrid(all);
    }

    public static ConfigurationGrid of(List<Configuration> configurations) {
        return new ConfigurationGrid(configurations);
    }

    public List<Configuration> all() {
        return configurations;
    }

    public int size() {
        return configurations.size();
    }

    public int indexOf(Configuration c) {
        return configurations.indexOf(c);
    }

    public Configuration random(SplittableRandom rng) {
        return configurations.get(rng.nextInt(configurations.size()));
    }

    /**
     * The grid configuration a recommendation stands for: its method, and the nearest rank, learning rate and
     * epochs (on a log scale for rank and rate). A weighted median lands on a value some packet carried, so this
     * is usually exact; empty when the method is not one the grid knows.
     */
    public Optional<Configuration> fromRecommendation(String method, Map<String, ?> hyperparams) {
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
