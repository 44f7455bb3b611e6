package dev.qis.simulation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.rounds.EcosystemSimulator;
import dev.qis.simulation.rounds.FakeNetwork;
import dev.qis.simulation.rounds.TickingClock;
import dev.qis.simulation.world.World;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    private static final SimulationConfig CONFIG = SimulationConfig.defaults().withNodes(20).withDomains(4)
            .withRounds(2).withByzantine(0.2, 3).withSeed(3);

    private static SimulationReport run(ProgressListener progress) {
        SplittableRandom root = new SplittableRandom(CONFIG.seed());
        World world = World.generate(CONFIG, root.split());
        Population population = Population.generate(world, CONFIG, root.split());
        return new EcosystemSimulator(new TickingClock(), Duration.ofSeconds(1)).run(CONFIG, world, population,
                new FakeNetwork(Clock.fixed(TickingClock.BASE.plus(Duration.ofDays(1)), ZoneOffset.UTC)), progress);
    }

    @Test
    void jsonUsesSnakeCaseAndCarriesEveryMetric(@TempDir Path dir) throws Exception {
        SimulationReport report = run(ProgressListener.NONE);
        Path file = dir.resolve("out/report.json");
        ReportWriter.writeJson(report, file);
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertEquals(20, json.path("settings").path("nodes").asInt());
        assertEquals(2, json.path("rounds").size());
        assertTrue(json.path("rounds").get(1).has("no_coordination_gain"));
        assertTrue(json.path("gains").has("naive"));
        assertTrue(json.path("rare_domains").has("recommended_true_best_rate"));
        assertEquals(100.0, json.path("byzantine").path("forged").path("rejected_percent").asDouble());
        assertTrue(json.path("byzantine").has("byzantine_top_share_after_votes"));
        assertTrue(json.path("rounds").get(0).has("top_slots"));
        assertTrue(json.path("opportunities").has("pairs_used"));
        assertTrue(json.path("latency").get(0).path("synthesis").has("p99_ms"));
        // Added for the elections goals, next to the keys above.
        assertTrue(json.path("rounds").get(1).has("pooled_gain"));
        assertTrue(json.path("rounds").get(1).has("byzantine_top_share_sybil_target"));
        for (String key : new String[] {"pooled_gain", "captured_improvement", "captured_vs_pooled",
            "pooled_captured_improvement"}) {
            assertTrue(json.path("gains").has(key), key);
        }
        assertTrue(json.path("gains").path("rare").has("captured_improvement"));
        assertTrue(json.path("gains").path("popular").has("pooled"));
        for (String key : new String[] {"recommended_top3_rate", "naive_top3_rate", "pooled_top3_rate",
            "mean_regret_recommended", "mean_regret_naive", "mean_regret_pooled"}) {
            assertTrue(json.path("popular_domains").has(key), key);
        }
        assertTrue(json.path("byzantine").path("byzantine_top_share_by_class").has("sybil_target_after"));
        assertTrue(json.path("byzantine").path("inflated_recommendations").has("inflated"));
        assertEquals(8, json.path("goals").size());
        JsonNode goal = json.path("goals").get(0);
        assertEquals("captured-overall", goal.path("id").asText());
        assertEquals(report.gains().capturedImprovement(), goal.path("figure").asDouble(), 1e-12);
        assertEquals(0.70, goal.path("bound").asDouble());
        assertEquals(goal.path("figure").asDouble() >= 0.70, goal.path("met").asBoolean());
    }

    @Test
    void textAnswersTheFiveClaims() {
        String text = ReportWriter.text(run(ProgressListener.NONE));
        for (String heading : new String[] {"1. Mean TRUE gain", "2. How good is the recommended",
            "3. Byzantine packets", "4. Synthesis opportunities", "5. Query latency", "6. Goals"}) {
            assertTrue(text.contains(heading), heading + " in\n" + text);
        }
        assertTrue(text.contains("captured improvement (loop - random)/(oracle - random)"), text);
        assertTrue(text.contains("Sybil target"), text);
        assertEquals(8, text.lines().filter(l -> l.startsWith("   MET ") || l.startsWith("   MISSED ")).count(), text);
        assertTrue(text.contains("forged (another key)       2 sent, 2 rejected (100.0%) {BAD_SIGNATURE=2}"), text);
    }

    @Test
    void progressOffATerminalIsOnePlainLinePerRound() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        run(new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\r"), out);
        assertEquals(2, out.lines().filter(l -> l.startsWith("round ")).count(), out);
    }

    @Test
    void progressOnATerminalRedrawsOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        run(new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("\rround 1/2 ["), out);
        assertTrue(out.contains("] 100%"), "the bar ends full: " + out);
        assertEquals(2, out.chars().filter(c -> c == '\n').count(), "one finished line per round");
    }
}
