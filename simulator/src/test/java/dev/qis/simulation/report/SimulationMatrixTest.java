package dev.qis.simulation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationException;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.rounds.EcosystemSimulator;
import dev.qis.simulation.rounds.FakeNetwork;
import dev.qis.simulation.rounds.TickingClock;
import dev.qis.simulation.world.World;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationMatrixTest {
    private static final SimulationConfig CONFIG = SimulationConfig.defaults().withNodes(20).withDomains(4)
            .withRounds(4).withByzantine(0.2, 3);

    private static SimulationReport run(SimulationConfig config) {
        SplittableRandom root = new SplittableRandom(config.seed());
        World world = World.generate(config, root.split());
        Population population = Population.generate(world, config, root.split());
        return new EcosystemSimulator(new TickingClock(), Duration.ofSeconds(1)).run(config, world, population,
                new FakeNetwork(Clock.fixed(TickingClock.BASE.plus(Duration.ofDays(1)), ZoneOffset.UTC)),
                ProgressListener.NONE);
    }

    @Test
    void eachScenarioIsOneRowWithTheMeanAndRangeOfEveryGoalOverItsSeeds(@TempDir Path dir) throws Exception {
        List<SimulationReport> base = new ArrayList<>();
        StringBuilder tsv = new StringBuilder();
        for (long seed : new long[] {42, 7}) {
            SimulationReport r = run(CONFIG.withSeed(seed));
            base.add(r);
            ReportWriter.writeJson(r, dir.resolve("runs/base-" + seed + ".json"));
            tsv.append("base\t--nodes 20 --domains 4\t").append(seed).append("\truns/base-").append(seed).append(".json\n");
        }
        SimulationReport clean = run(CONFIG.withByzantine(0, 0).withSeed(42));
        ReportWriter.writeJson(clean, dir.resolve("runs/clean.json"));
        tsv.append("no Byzantine\t--byzantine-share 0\t42\truns/clean.json\n");
        Files.writeString(dir.resolve("runs.tsv"), tsv);

        String md = Files.readString(SimulationMatrix.write(dir));
        List<String> rows = md.lines().filter(l -> l.startsWith("| ")).toList();
        assertEquals(3, rows.size(), "a header and two scenarios:\n" + md);
        assertTrue(rows.get(0).contains("| captured-overall |") && rows.get(0).contains("| inflated-recommendations |"));
        String baseRow = rows.get(1);
        assertTrue(baseRow.startsWith("| base | `--nodes 20 --domains 4` | 42, 7 |"), baseRow);
        double a = base.get(0).gains().capturedImprovement();
        double b = base.get(1).gains().capturedImprovement();
        String captured = String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", (a + b) / 2, Math.min(a, b), Math.max(a, b));
        assertTrue(baseRow.contains("| " + captured), captured + " in " + baseRow);
        List<String> header = java.util.Arrays.stream(rows.get(0).split("\\|")).map(String::trim).toList();
        List<String> cells = java.util.Arrays.stream(baseRow.split("\\|")).map(String::trim).toList();
        int marks = 0;
        for (int g = 0; g < base.get(0).goals().size(); g++) {
            String id = base.get(0).goals().get(g).id();
            int at = header.indexOf(id);
            final int goal = g;
            long missed = base.stream().filter(r -> !r.goals().get(goal).met()).count();
            String cell = cells.get(at);
            assertEquals(missed > 0, cell.contains("✗ " + missed + "/2"), id + ": " + cell);
            marks += missed > 0 ? 1 : 0;
        }
        assertTrue(marks > 0, "the test network misses goals (it lets the Sybil flood in)");
        String cleanRow = rows.get(2);
        assertTrue(cleanRow.startsWith("| no Byzantine | `--byzantine-share 0` | 42 |"), cleanRow);
        assertTrue(cleanRow.endsWith("| 0 |"), "no inflated recommendation: " + cleanRow);
        assertTrue(md.contains(" vs "), "regret cells name naive averaging's regret");
    }

    @Test
    void aMissingReportIsAClearError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("runs.tsv"), "base\t\t42\truns/none.json\n");
        SimulationException e = assertThrows(SimulationException.class, () -> SimulationMatrix.write(dir));
        assertTrue(e.getMessage().contains("runs/none.json is missing"), e.getMessage());
        Files.delete(dir.resolve("runs.tsv"));
        e = assertThrows(SimulationException.class, () -> SimulationMatrix.write(dir));
        assertTrue(e.getMessage().contains("no runs.tsv"), e.getMessage());
    }
}
