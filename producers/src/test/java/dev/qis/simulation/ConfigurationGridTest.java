package dev.qis.simulation;

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
}
