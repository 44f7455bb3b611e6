package dev.qis.simulation.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigurationGridTest {
    private final ConfigurationGrid grid = ConfigurationGrid.standard();

    @Test
    void standardGridIsMethodsTimesRanksRatesEpochs() {
        assertEquals(4 * 3 * 3 * 3, grid.size());
        assertEquals(grid.size(), grid.all().stream().distinct().count());
    }

    @Test
    void aRecommendationSnapsToTheNearestGridPoint() {
        assertEquals(Optional.of(new Configuration("QLoRA", 16, 2e-4, 2)),
                grid.fromRecommendation("QLoRA", Map.of("r", 16L, "lr", 2e-4, "epochs", 2L)));
        assertEquals(Optional.of(new Configuration("LoRA", 32, 5e-4, 3)),
                grid.fromRecommendation("LoRA", Map.of("r", 40L, "lr", 4.4e-4, "epochs", 3.0)));
        assertEquals(Optional.of(new Configuration("DPO", 8, 1e-4, 1)),
                grid.fromRecommendation("DPO", Map.of("r", "8", "lr", "0.0001", "epochs", 1)));
    }

    @Test
    void anUnknownMethodIsNoRecommendation() {
        assertTrue(grid.fromRecommendation("prefix-tuning", Map.of("r", 8L)).isEmpty());
    }

    @Test
    void hyperparamsTravelAsLongsAndADouble() {
        Map<String, Object> hp = new Configuration("LoRA", 16, 2e-4, 3).hyperparams();
        assertEquals(16L, hp.get("r"));
        assertEquals(2e-4, hp.get("lr"));
        assertEquals(3L, hp.get("epochs"));
    }

    @Test
    void theLargeSpaceHasAReferenceGridOfContinuousRatesWarmupsAndSchedulers() {
        ConfigurationGrid large = ConfigurationGrid.large();
        assertTrue(large.isLarge());
        assertEquals(4 * 3 * 9 * 3 * 3 * 2, large.size());
        assertEquals(large.size(), large.all().stream().distinct().count());
        assertEquals(5e-5, ConfigurationGrid.REFERENCE_LEARNING_RATES[0]);
        assertEquals(1e-3, ConfigurationGrid.REFERENCE_LEARNING_RATES[8]);
        assertEquals(2.2e-4, ConfigurationGrid.REFERENCE_LEARNING_RATES[4]);
        Map<String, Object> hp = large.all().get(1).hyperparams();
        assertEquals(java.util.Set.of("r", "lr", "epochs", "warmup_ratio", "scheduler"), hp.keySet());
        assertEquals("cosine", hp.get("scheduler"));
    }

    @Test
    void aLargeSpaceDrawIsLogUniformInTheRangeRoundedToTwoSignificantDigits() {
        ConfigurationGrid large = ConfigurationGrid.large();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        int below2e4 = 0;
        java.util.Set<Double> warmups = new java.util.HashSet<>();
        java.util.Set<String> schedulers = new java.util.HashSet<>();
        for (int i = 0; i < 2000; i++) {
            Configuration c = large.random(rng);
            assertTrue(c.lr() >= 5e-5 && c.lr() <= 1e-3, c.label());
            assertEquals(new java.math.BigDecimal(c.lr()).round(new java.math.MathContext(2)).doubleValue(), c.lr());
            below2e4 += c.lr() < 2.2e-4 ? 1 : 0;
            warmups.add(c.warmupRatio());
            schedulers.add(c.scheduler());
        }
        // log-uniform: half the draws below the geometric mean of the range (about 2.2e-4), not a quarter as a
        // uniform draw would give
        assertTrue(below2e4 > 900 && below2e4 < 1100, below2e4 + " of 2000 below 2.2e-4");
        assertEquals(java.util.Set.of(0.0, 0.03, 0.1), warmups);
        assertEquals(java.util.Set.of("linear", "cosine"), schedulers);
    }

    @Test
    void inTheLargeSpaceARecommendationKeepsItsLearningRate() {
        ConfigurationGrid large = ConfigurationGrid.large();
        assertEquals(Optional.of(new Configuration("LoRA", 16, 3.7e-4, 2, 0.03, "cosine")),
                large.fromRecommendation("LoRA", Map.of("r", 16L, "lr", 3.7e-4, "epochs", 2L, "warmup_ratio", 0.03,
                        "scheduler", "cosine")));
        assertEquals(Optional.of(new Configuration("DPO", 32, 1e-3, 1, 0.1, "linear")),
                large.fromRecommendation("DPO", Map.of("r", 30L, "lr", 0.5, "epochs", 1L, "warmup_ratio", 0.2)));
        assertTrue(large.fromRecommendation("prefix-tuning", Map.of()).isEmpty());
    }
}
