package dev.qis.simulation.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationException;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.actors.SimNode;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorldTest {
    private static final SimulationConfig CONFIG = SimulationConfig.defaults().withNodes(1000).withDomains(20);
    private static final SimulationConfig SMALL = SimulationConfig.defaults().withNodes(50).withDomains(20);

    @Test
    void zipfPopularityFallsWithRankAndSumsToOne() {
        double[] p = World.zipf(20, 1.1);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            sum += p[i];
            if (i > 0) {
                assertTrue(p[i] < p[i - 1], "rank " + (i + 1));
            }
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(Math.pow(20, 1.1), p[0] / p[19], 1e-9);
    }

    @Test
    void zipfSkewLeavesTheBottomHalfRare() {
        World world = World.generate(CONFIG, new SplittableRandom(7));
        Population population = Population.generate(world, CONFIG, new SplittableRandom(8));
        Map<String, Integer> perDomain = population.nodesPerDomain(world);
        int rareNodes = 0;
        int rareDomains = 0;
        for (Domain d : world.domains()) {
            if (d.rare()) {
                rareNodes += perDomain.get(d.name());
                rareDomains++;
            }
        }
        assertEquals(10, rareDomains);
        int top = perDomain.get(world.domains().get(0).name());
        assertTrue(rareNodes < 0.2 * CONFIG.nodes(), "bottom half holds " + rareNodes + " of 1000 nodes");
        assertTrue(top > 10.0 * rareNodes / rareDomains, "top domain " + top + " vs rare mean " + rareNodes / 10.0);
    }

    @Test
    void rareMeansStrictlyAfterTheMiddleRank() {
        assertEquals(List.of(false, false, true, true), List.of(World.isRare(1, 4), World.isRare(2, 4),
                World.isRare(3, 4), World.isRare(4, 4)));
        assertEquals(List.of(false, false, true), List.of(World.isRare(1, 3), World.isRare(2, 3), World.isRare(3, 3)));
        assertEquals(false, World.isRare(1, 1));
    }

    @Test
    void eachDomainHasOneTrueBestPerFamilyAboveTheRandomMean() {
        World world = World.generate(CONFIG, new SplittableRandom(7));
        for (Domain d : world.domains()) {
            for (String family : world.families()) {
                Configuration best = d.effects().best(family);
                int ties = 0;
                for (Configuration c : world.grid().all()) {
                    if (d.effects().gain(family, c) == d.effects().bestGain(family)) {
                        ties++;
                    }
                }
                assertEquals(1, ties, d.name() + "/" + family);
                assertTrue(d.effects().bestGain(family) > d.effects().meanGain(family) + 0.01, best.label());
            }
        }
    }

    @Test
    void familiesDifferButCrossFamilyEvidenceIsInformative() {
        World world = World.generate(CONFIG, new SplittableRandom(7));
        int sameBest = 0;
        for (Domain d : world.domains()) {
            double maxDiff = 0;
            for (Configuration c : world.grid().all()) {
                maxDiff = Math.max(maxDiff, Math.abs(d.effects().gain("llama-3-8b", c) - d.effects().gain("mistral-7b", c)));
            }
            assertTrue(maxDiff > 0 && maxDiff < 0.1, d.name() + ": families differ by up to " + maxDiff);
            sameBest += d.effects().best("llama-3-8b").equals(d.effects().best("mistral-7b")) ? 1 : 0;
        }
        // The surface's shape is shared, so the best configuration usually agrees across families, not always.
        assertTrue(sameBest >= 10, sameBest + " of 20 domains share the best configuration");
    }

    @Test
    void theSameSeedGivesTheSameWorldAndNodeIds() {
        World a = World.generate(SMALL, new SplittableRandom(3));
        World b = World.generate(SMALL, new SplittableRandom(3));
        Population pa = Population.generate(a, SMALL, new SplittableRandom(4));
        Population pb = Population.generate(b, SMALL, new SplittableRandom(4));
        for (int i = 0; i < a.domains().size(); i++) {
            for (Configuration c : a.grid().all()) {
                assertEquals(a.domains().get(i).effects().gain("qwen2-7b", c), b.domains().get(i).effects().gain("qwen2-7b", c));
            }
        }
        for (int i = 0; i < pa.nodes().size(); i++) {
            assertEquals(pa.nodes().get(i).identity().nodeId(), pb.nodes().get(i).identity().nodeId());
            assertEquals(pa.nodes().get(i).role(), pb.nodes().get(i).role());
            assertEquals(pa.nodes().get(i).domain().name(), pb.nodes().get(i).domain().name());
        }
        Population other = Population.generate(a, SMALL, new SplittableRandom(5));
        assertNotEquals(pa.nodes().get(0).identity().nodeId(), other.nodes().get(0).identity().nodeId());
    }

    @Test
    void byzantineRolesFollowTheShareAndTheSybilFloodsARareDomain() {
        SimulationConfig config = CONFIG.withByzantine(0.1, 30);
        World world = World.generate(config, new SplittableRandom(7));
        Population p = Population.generate(world, config, new SplittableRandom(8));
        assertEquals(900, p.honest().size());
        assertEquals(1, p.withRole(Role.SYBIL).size());
        assertEquals(33, p.withRole(Role.INFLATOR).size());
        assertEquals(33, p.withRole(Role.FORGER).size());
        assertEquals(33, p.withRole(Role.REPLAYER).size());
        SimNode sybil = p.withRole(Role.SYBIL).get(0);
        assertEquals(30, sybil.sybilKeys().size());
        assertTrue(sybil.domain().rare(), sybil.domain().name());
        assertTrue(p.honest().stream().anyMatch(h -> h.domain().equals(sybil.domain())), "the Sybil has victims");
        assertEquals(1000 + 30, p.identities().size());
    }

    @Test
    void badSettingsAreRefusedWithTheFlagName() {
        SimulationException e = assertThrows(SimulationException.class, () -> CONFIG.withByzantine(1.5, 0));
        assertTrue(e.getMessage().contains("--byzantine-share"), e.getMessage());
        assertThrows(SimulationException.class, () -> CONFIG.withNodes(1));
        assertThrows(SimulationException.class, () -> CONFIG.withEpsilon(-0.1));
    }

    @Test
    void familiesAreTheFirstNOfAFixedList() {
        assertEquals(List.of("llama-3-8b", "mistral-7b", "qwen2-7b"), SimulationConfig.defaults().families());
        SimulationConfig six = SMALL.withNodes(300).withFamilies(SimulationConfig.families(6));
        World world = World.generate(six, new SplittableRandom(7));
        assertEquals(6, world.families().size());
        assertEquals(SimulationConfig.FAMILY_NAMES.subList(0, 6), world.families());
        Population p = Population.generate(world, six, new SplittableRandom(8));
        assertEquals(6, p.nodes().stream().map(SimNode::family).distinct().count(), "every family has nodes");
        for (String family : world.families()) {
            assertTrue(world.domains().get(0).effects().bestGain(family) > world.domains().get(0).effects().meanGain(family));
        }
        assertThrows(SimulationException.class, () -> SimulationConfig.families(0));
        SimulationException e = assertThrows(SimulationException.class, () -> SimulationConfig.families(99));
        assertTrue(e.getMessage().contains("--families"), e.getMessage());
    }

    @Test
    void theLargeSpaceExtendsTheSurfaceSmoothlyAndRanksOverItsReferenceGrid() {
        SimulationConfig large = SMALL.withConfigSpace(SimulationConfig.ConfigSpace.LARGE);
        World world = World.generate(large, new SplittableRandom(7));
        assertEquals(1944, world.grid().size());
        String family = world.families().get(0);
        SplittableRandom rng = new SplittableRandom(9);
        for (Domain d : world.domains()) {
            TrueEffects truth = d.effects();
            double best = truth.bestGain(family);
            assertEquals(best, truth.kthBestGain(family, 1));
            assertTrue(truth.kthBestGain(family, 3) <= truth.kthBestGain(family, 2));
            assertTrue(truth.inTop(family, truth.best(family), 3));
            for (int i = 0; i < 50; i++) {
                Configuration c = world.grid().random(rng);
                double g = truth.gain(family, c);
                assertTrue(Double.isFinite(g));
                // Smooth: a 1 % change of learning rate moves the gain by far less than the spread of the surface.
                Configuration near = new Configuration(c.method(), c.r(), c.lr() * 1.01, c.epochs(), c.warmupRatio(),
                        c.scheduler());
                assertTrue(Math.abs(truth.gain(family, near) - g) < 1e-3, c.label());
                assertTrue(g <= best + 0.01, "off-grid points stay near the reference grid's best: " + c.label());
                assertEquals(g >= truth.kthBestGain(family, 3), truth.inTop(family, c, 3));
            }
            // The scheduler and warmup ratio matter: the surface is not flat along them.
            Configuration b = truth.best(family);
            Configuration other = new Configuration(b.method(), b.r(), b.lr(), b.epochs(), b.warmupRatio(),
                    "cosine".equals(b.scheduler()) ? "linear" : "cosine");
            assertTrue(truth.gain(family, other) < best);
        }
    }

    @Test
    void theStandardSpaceOfASeedIsTheSameWorldWhateverTheLargeSpaceDraws() {
        World a = World.generate(SMALL, new SplittableRandom(3));
        assertEquals(108, a.grid().size());
        for (Configuration c : a.grid().all()) {
            assertEquals(null, c.scheduler());
            assertEquals(3, c.hyperparams().size());
        }
        assertThrows(SimulationException.class, () -> a.domains().get(0).effects().gain("llama-3-8b",
                new Configuration("LoRA", 8, 3.3e-4, 1)), "off the standard grid");
    }
}
