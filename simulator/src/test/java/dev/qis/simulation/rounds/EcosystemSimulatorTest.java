package dev.qis.simulation.rounds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.simulation.LatencyStats;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationGoals;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.actors.PacketFactory;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.actors.SimNode;
import dev.qis.simulation.network.OutcomeNetwork;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.Domain;
import dev.qis.simulation.world.World;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EcosystemSimulatorTest {
    private static final SimulationConfig CONFIG = SimulationConfig.defaults().withNodes(60).withDomains(6)
            .withRounds(5).withByzantine(0.2, 6).withSeed(11);
    /** Signing and verifying dominate the cost, so the read-only tests share one run. */
    private static Trial shared;

    private static synchronized Trial shared() {
        if (shared == null) {
            shared = trial(CONFIG);
        }
        return shared;
    }

    /** One run with its world, population and network kept for inspection. */
    private record Trial(World world, Population population, FakeNetwork network, SimulationReport report) {
        Map<String, SimNode> byNodeId() {
            Map<String, SimNode> map = new HashMap<>();
            for (SimNode n : population.nodes()) {
                for (NodeIdentity id : n.identities()) {
                    map.put(id.nodeId(), n);
                }
            }
            return map;
        }
    }

    private static Trial trial(SimulationConfig config) {
        SplittableRandom root = new SplittableRandom(config.seed());
        World world = World.generate(config, root.split());
        Population population = Population.generate(world, config, root.split());
        FakeNetwork network = new FakeNetwork(Clock.fixed(TickingClock.BASE.plus(Duration.ofDays(1)), ZoneOffset.UTC));
        SimulationReport report = new EcosystemSimulator(new TickingClock(), Duration.ofSeconds(1))
                .run(config, world, population, network, ProgressListener.NONE);
        return new Trial(world, population, network, report);
    }

    private static Configuration configOf(OutcomePacket p, World world) {
        return world.grid().fromRecommendation(p.getMethod().getMethodType(), p.getMethod().getHyperparams()).orElseThrow();
    }

    @Test
    void theSameSeedGivesTheSameRunByteForByte() {
        Trial a = shared();
        Trial b = trial(CONFIG);
        assertEquals(a.network().sent.size(), b.network().sent.size());
        for (int i = 0; i < a.network().sent.size(); i++) {
            assertArrayEquals(a.network().sent.get(i), b.network().sent.get(i), "record " + i);
        }
        assertEquals(withoutTimings(a.report()), withoutTimings(b.report()));
    }

    @Test
    void anotherSeedGivesAnotherRun() {
        Trial a = shared();
        Trial c = trial(CONFIG.withSeed(12).withRounds(2));
        assertFalse(Arrays.equals(a.network().sent.get(0), c.network().sent.get(0)));
        assertNotEquals(a.report().rounds().get(1).loopGain(), c.report().rounds().get(1).loopGain());
    }

    @Test
    void byzantinePacketsInflateTheirClaims() {
        Trial t = shared();
        Map<String, SimNode> authors = t.byNodeId();
        int inflated = 0;
        for (OutcomePacket p : t.network().byId.values()) {
            SimNode author = authors.get(p.getNodeId());
            if (author.role() == Role.INFLATOR || author.role() == Role.SYBIL) {
                double truth = author.domain().effects().gain(author.family(), configOf(p, t.world()));
                double claim = PacketFactory.claimedGain(p);
                assertTrue(claim >= truth + Adversaries.INFLATION_MIN - 1e-9, claim + " vs true " + truth);
                assertEquals(Adversaries.INFLATED_CONFIDENCE, p.getValidation().getConfidence());
                inflated++;
            }
        }
        int inflators = t.population().withRole(Role.INFLATOR).size();
        assertEquals(CONFIG.rounds() * (inflators + CONFIG.sybilKeys()), inflated);
    }

    @Test
    void forgedAndTamperedPacketsAreAllRejectedAndExactReplaysAreNotDoubleCounted() {
        Trial t = shared();
        var b = t.report().byzantine();
        int forgers = t.population().withRole(Role.FORGER).size();
        assertEquals((long) forgers * CONFIG.rounds(), b.forged().sent());
        assertEquals(100.0, b.forged().rejectedPercent());
        assertEquals(Map.of("BAD_SIGNATURE", b.forged().sent()), b.forged().byReason());
        assertTrue(b.tamperedReplays().sent() > 0);
        assertEquals(100.0, b.tamperedReplays().rejectedPercent());
        assertEquals(Set.of("BAD_SIGNATURE", "ID_MISMATCH"), b.tamperedReplays().byReason().keySet());
        assertTrue(b.exactReplays().sent() > 0);
        assertEquals(0, b.exactReplays().rejected());
        assertEquals(0, b.exactReplays().doubleCounted());
        assertEquals(b.exactReplays().packetsExpected(), b.exactReplays().packetsStored());
        assertEquals(b.exactReplays().sent(), t.network().duplicates);
        assertEquals(0, b.validPacketsRejected());
    }

    @Test
    void replayedBytesAreByteIdenticalToAPublishedPacket() {
        Trial t = shared();
        int identical = 0;
        for (byte[] raw : t.network().rawSent) {
            if (t.network().published.stream().anyMatch(p -> Arrays.equals(p, raw))) {
                identical++;
            }
        }
        assertTrue(identical > 0);
        assertEquals(t.report().byzantine().exactReplays().sent(), identical);
    }

    @Test
    void honestVotesMarkInflatedClaimsAsFailures() {
        Trial t = shared();
        Map<String, SimNode> authors = t.byNodeId();
        int onByzantine = 0;
        int byzantineFailed = 0;
        int onHonest = 0;
        int honestFailed = 0;
        for (ValidationReport v : t.network().votes) {
            if (authors.get(v.getNodeId()).role() != Role.HONEST) {
                continue;
            }
            OutcomePacket voted = t.network().byId.get(v.getPacketId());
            double observed = (v.getObservedScore() - v.getBaselineScore()) / Math.abs(v.getBaselineScore());
            boolean fails = !EcosystemSimulator.voteSucceeds(observed, PacketFactory.claimedGain(voted));
            if (authors.get(voted.getNodeId()).role().byzantine()) {
                onByzantine++;
                byzantineFailed += fails ? 1 : 0;
            } else {
                onHonest++;
                honestFailed += fails ? 1 : 0;
            }
        }
        assertTrue(onByzantine > 0, "honest nodes applied some Byzantine recommendations");
        assertTrue(byzantineFailed >= 0.9 * onByzantine, byzantineFailed + " of " + onByzantine + " fail");
        assertTrue(honestFailed < 0.5 * onHonest, honestFailed + " of " + onHonest + " honest packets fail");
        var b = t.report().byzantine();
        assertEquals(onByzantine, b.honestVotesOnByzantine());
        assertEquals(byzantineFailed, b.honestVotesOnByzantineFailing());
        assertEquals(onHonest, b.honestVotesOnHonest());
        assertEquals(honestFailed, b.honestVotesOnHonestFailing());
    }

    @Test
    void everyReportedPairIsAPairOfDistinctActorsWithACitation() {
        Trial t = shared();
        Map<String, SimNode> authors = t.byNodeId();
        Set<Long> pairs = new HashSet<>();
        for (OutcomePacket p : t.network().byId.values()) {
            for (String cited : p.getInformedBy()) {
                int a = authors.get(p.getNodeId()).index();
                int b = authors.get(t.network().byId.get(cited).getNodeId()).index();
                if (a != b) {
                    pairs.add(((long) Math.min(a, b) << 32) | Math.max(a, b));
                }
            }
        }
        var o = t.report().opportunities();
        assertEquals(pairs.size(), o.pairsUsed());
        assertEquals(60L * 59 / 2, o.possiblePairs());
        assertTrue(o.pairsUsed() <= o.possiblePairsWithinDomains());
    }

    @Test
    void topKIsMeasuredEveryRoundAndLatencyAtCheckpoints() {
        Trial t = shared();
        assertEquals(CONFIG.rounds(), t.report().rounds().size());
        for (var r : t.report().rounds()) {
            assertTrue(r.topSlots() > 0);
            assertEquals(r.packetsExpected(), r.packetsStored());
            assertEquals(t.population().honest().size(), r.synthesis().count());
        }
        assertEquals(List.of(1, 2, 3, 4), t.report().latency().stream().map(SimulationReport.LatencyCheckpoint::round).toList());
        assertEquals(0, t.report().latency().get(0).packetsStored() - t.report().rounds().get(0).packetsStored());
    }

    @Test
    void withoutByzantineNodesNothingIsRejectedAndTheLoopBeatsRandomChoice() {
        Trial t = trial(CONFIG.withByzantine(0, 0).withEpsilon(0).withRounds(4));
        assertTrue(t.network().rejected.isEmpty());
        var g = t.report().gains();
        assertTrue(g.loop() > g.noCoordination(), g.toString());
        assertTrue(g.loop() <= g.oracle(), g.toString());
        assertEquals(0, t.report().rounds().get(2).explorations());
    }

    @Test
    void aValidPacketRefusedAnywayIsReportedAndNotWaitedFor() {
        SimulationConfig config = CONFIG.withRounds(2);
        SplittableRandom root = new SplittableRandom(config.seed());
        World world = World.generate(config, root.split());
        Population population = Population.generate(world, config, root.split());
        FakeNetwork network = new FakeNetwork(Clock.fixed(TickingClock.BASE.plus(Duration.ofDays(1)), ZoneOffset.UTC));
        network.lostKeys.add(population.honest().get(0).identity().nodeId());
        SimulationReport report = new EcosystemSimulator(new TickingClock(), Duration.ofSeconds(30))
                .run(config, world, population, network, ProgressListener.NONE);
        assertEquals(2, report.byzantine().validPacketsRejected());
        assertEquals(List.of(), report.warnings(), "no catch-up timeout");
        assertTrue(report.byzantine().rejectionsByReason().containsKey("UNKNOWN_NODE"));
    }

    @Test
    void anExploringNodeRunsTheNetworksAlternativeCitesItsPacketsAndVotesOnThem() {
        SimulationConfig config = CONFIG.withByzantine(0, 0).withEpsilon(1).withRounds(3).withExploreWithAlternative(true);
        SplittableRandom root = new SplittableRandom(config.seed());
        World world = World.generate(config, root.split());
        Population population = Population.generate(world, config, root.split());
        FakeNetwork network = new FakeNetwork(Clock.fixed(TickingClock.BASE.plus(Duration.ofDays(1)), ZoneOffset.UTC));
        network.offerExploration = true;
        java.util.concurrent.atomic.AtomicInteger offered = new java.util.concurrent.atomic.AtomicInteger();
        OutcomeNetwork recording = new ForwardingNetwork(network) {
            @Override
            public java.util.Optional<OutcomeNetwork.Recommendation> synthesize(String domain, String family,
                    List<String> tags) {
                var answer = network.synthesize(domain, family, tags);
                answer.filter(a -> a.exploration() != null).ifPresent(a -> offered.incrementAndGet());
                return answer;
            }
        };
        SimulationReport report = new EcosystemSimulator(new TickingClock(), Duration.ofSeconds(1))
                .run(config, world, population, recording, ProgressListener.NONE);
        int withAlternative = 0;
        Set<String> honestIds = new HashSet<>();
        population.honest().forEach(h -> honestIds.add(h.identity().nodeId()));
        for (OutcomePacket p : network.byId.values()) {
            if (p.getInformedBy().isEmpty()) {
                continue;
            }
            // A packet that cites anything ran an alternative (epsilon 1): the configuration of what it cites.
            OutcomePacket cited = network.byId.get(p.getInformedBy().get(0));
            assertEquals(cited.getMethod().getMethodType() + cited.getMethod().getHyperparams(),
                    p.getMethod().getMethodType() + p.getMethod().getHyperparams());
            for (String id : p.getInformedBy()) {
                if (!network.byId.get(id).getNodeId().equals(p.getNodeId())) {
                    assertTrue(network.votes.stream().anyMatch(v -> v.getPacketId().equals(id)
                            && v.getNodeId().equals(p.getNodeId())), "a vote on " + id);
                }
            }
            withAlternative++;
        }
        assertTrue(withAlternative > 0, "some nodes ran an alternative");
        assertTrue(offered.get() > 0, "the network offered alternatives");
        assertEquals(0, report.rounds().get(2).recommendationsApplied());
    }

    @Test
    void theByzantineTopShareIsMeasuredPerDomainClass() {
        Trial t = shared();
        Domain target = t.population().sybilTarget();
        int[] byz = new int[3];
        int[] slots = new int[3];
        Map<String, SimNode> authors = t.byNodeId();
        for (Domain d : t.world().domains()) {
            int cls = d.equals(target) ? 2 : d.rare() ? 1 : 0;
            for (OutcomeNetwork.TopEntry e : t.network().topK(d.name(), CONFIG.topK())) {
                slots[cls]++;
                byz[cls] += authors.get(e.nodeId()).role().byzantine() ? 1 : 0;
            }
        }
        var c = t.report().byzantine().byzantineTopShareByClass();
        assertTrue(slots[2] > 0, "the Sybil target has a top-k");
        assertEquals((double) byz[0] / slots[0], c.popularAfter(), 1e-12);
        assertEquals(slots[1] == 0 ? 0 : (double) byz[1] / slots[1], c.rareAfter(), 1e-12);
        assertEquals((double) byz[2] / slots[2], c.sybilTargetAfter(), 1e-12);
        assertTrue(c.sybilTargetAfter() > 0.5, "this network lets the flood in: " + c);
        var last = t.report().rounds().get(CONFIG.rounds() - 1);
        assertEquals((double) (byz[0] + byz[1] + byz[2]) / (slots[0] + slots[1] + slots[2]), last.byzantineTopShare(),
                1e-12);
        assertEquals(t.report().rounds().get(0).byzantineTopShareSybilTarget(), c.sybilTargetBefore());
    }

    @Test
    void recommendationsRestingOnAnInflatedClaimAreCountedAndMissTheirGoal() {
        // The test network ranks by claimed gain, so inflated claims win its synthesis.
        Trial t = shared();
        var inflated = t.report().byzantine().inflatedRecommendations();
        assertTrue(inflated.asks() > 0 && inflated.asks() <= 2L * t.population().honest().size(), inflated.toString());
        assertTrue(inflated.inflated() > 0 && inflated.inflated() <= inflated.asks(), inflated.toString());
        for (long part : new long[] {inflated.fromSybilKeys(), inflated.inSybilTarget(), inflated.alone()}) {
            assertTrue(part >= 0 && part <= inflated.inflated(), "a part of the inflated answers: " + inflated);
        }
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> SimulationGoals.check(t.report(), SimulationGoals.INFLATED_RECOMMENDATIONS));
        assertTrue(e.getMessage().contains("MISSED recommendations resting on a Byzantine packet"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SimulationGoals.check(t.report(), "no-such-goal"));
        Trial clean = trial(CONFIG.withByzantine(0, 0).withRounds(5));
        assertEquals(0, clean.report().byzantine().inflatedRecommendations().inflated());
        assertTrue(clean.report().byzantine().inflatedRecommendations().asks() > 0);
        SimulationGoals.check(clean.report(), SimulationGoals.INFLATED_RECOMMENDATIONS, SimulationGoals.BYZANTINE_TOP,
                SimulationGoals.BYZANTINE_SYBIL_TARGET);
        SimulationGoals.checkByzantineTopShare(clean.report(), 0);
        double after = t.report().byzantine().byzantineTopShareAfterVotes();
        SimulationGoals.checkByzantineTopShare(t.report(), after);
        AssertionError share = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> SimulationGoals.checkByzantineTopShare(t.report(), after - 0.01));
        assertTrue(share.getMessage().contains("exceeds"), share.getMessage());
    }

    @Test
    void aLargeSpaceWorldWithSixFamiliesRunsEndToEnd() {
        SimulationConfig config = CONFIG.withRounds(3).withFamilies(SimulationConfig.families(6))
                .withConfigSpace(SimulationConfig.ConfigSpace.LARGE);
        Trial t = trial(config);
        assertEquals(6, t.report().settings().families().size());
        assertEquals("large", t.report().settings().configSpace());
        assertEquals(1944, t.report().settings().configurations());
        java.util.Set<Double> rates = new HashSet<>();
        for (OutcomePacket p : t.network().byId.values()) {
            assertEquals(java.util.Set.of("r", "lr", "epochs", "warmup_ratio", "scheduler"),
                    p.getMethod().getHyperparams().keySet());
            rates.add(((Number) p.getMethod().getHyperparams().get("lr")).doubleValue());
        }
        assertTrue(rates.size() > 9, "learning rates off the reference grid: " + rates.size());
        var g = t.report().gains();
        assertTrue(g.oracle() > g.noCoordination() && Double.isFinite(g.pooledGain()), g.toString());
        assertTrue(g.pooledGain() > g.noCoordination(), "pooled beats random: " + g);
    }

    /** The report minus the wall-clock latencies, which differ from run to run. */
    private static String withoutTimings(SimulationReport r) {
        var rounds = r.rounds().stream().map(x -> new SimulationReport.RoundResult(x.round(), x.honestRuns(),
                x.recommendationsApplied(), x.explorations(), x.noEvidence(), x.loopGain(), x.noCoordinationGain(),
                x.naiveGain(), x.oracleGain(), x.packetsStoredAtQuery(), x.packetsExpected(), x.packetsStored(),
                x.topSlots(), x.byzantineTopShare(), LatencyStats.NONE, LatencyStats.NONE, x.pooledGain(),
                x.byzantineTopSharePopular(), x.byzantineTopShareRare(), x.byzantineTopShareSybilTarget())).toList();
        return new SimulationReport(r.settings(), r.population(), rounds, r.gains(), r.rareDomains(),
                r.popularDomains(), r.byzantine(), r.opportunities(), List.of(), r.warnings(), r.goals()).toString();
    }
}
