package dev.qis.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
