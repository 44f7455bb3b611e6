package dev.qis.simulation.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.Measurement;
import dev.qis.fidelity.Synthesis;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.actors.PacketFactory;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.report.NaiveAveraging;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.ConfigurationGrid;
import dev.qis.simulation.world.Domain;
import dev.qis.simulation.world.TrueEffects;
import dev.qis.simulation.world.World;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The report's counterfactuals on a world small enough to check by hand: one domain, one family, three configurations. */
class CounterfactualsTest {
    private static final String FAMILY = "llama-3-8b";
    private static final Configuration C1 = new Configuration("LoRA", 8, 1e-4, 1);
    private static final Configuration C2 = new Configuration("LoRA", 16, 2e-4, 2);
    private static final Configuration C3 = new Configuration("DPO", 8, 1e-4, 1);
    private static final Configuration C4 = new Configuration("full", 32, 5e-4, 3);
    private static final ConfigurationGrid GRID = ConfigurationGrid.of(List.of(C1, C2, C3, C4));
    private static final double[] TRUTH = {0.10, 0.20, 0.05, 0.01};
    private static final Domain DOMAIN = new Domain("tiny-d01", 1, 1.0, false, List.of("sim", "en"), 0.5,
            TrueEffects.of(GRID, List.of(FAMILY), new double[][] {TRUTH}));
    private static final World WORLD = new World(GRID, List.of(FAMILY), List.of(DOMAIN));

    @Test
    void trueEffectsAnswerFromTheTable() {
        assertEquals(C2, DOMAIN.effects().best(FAMILY));
        assertEquals(0.20, DOMAIN.effects().bestGain(FAMILY));
        assertEquals((0.10 + 0.20 + 0.05 + 0.01) / 4, DOMAIN.effects().meanGain(FAMILY), 1e-15);
        assertEquals(0.05, DOMAIN.effects().kthBestGain(FAMILY, 3));
        assertTrue(DOMAIN.effects().inTop(FAMILY, C3, 3));
        assertTrue(!DOMAIN.effects().inTop(FAMILY, C4, 3));
    }

    @Test
    void naiveAveragingPicksTheBestUnweightedMeanClaimInflatedOrNot() {
        NaiveAveraging naive = new NaiveAveraging();
        assertEquals(Optional.empty(), naive.pick(GRID));
        naive.add(C1, 0.12);
        naive.add(C2, 0.18);
        naive.add(C2, 0.22);
        assertEquals(Optional.of(C2), naive.pick(GRID), "mean 0.20 beats 0.12");
        naive.add(C3, 0.90);
        assertEquals(Optional.of(C3), naive.pick(GRID), "one inflated claim wins an unweighted mean");
        naive.add(C3, -0.60);
        naive.add(C3, -0.03);
        assertEquals(Optional.of(C2), naive.pick(GRID), "C3's mean is now 0.09");
    }

    @Test
    void naiveAveragingBreaksTiesInGridOrder() {
        NaiveAveraging naive = new NaiveAveraging();
        naive.add(C3, 0.1);
        naive.add(C1, 0.1);
        assertEquals(Optional.of(C1), naive.pick(GRID));
    }

    @Test
    void eachRoundsGainsAreTheTrueGainsOfWhatWasRunAndOfTheCounterfactuals() {
        SimulationConfig config = SimulationConfig.defaults().withNodes(2).withDomains(1).withRounds(3)
                .withByzantine(0, 0).withEpsilon(0).withFamilies(List.of(FAMILY)).withSeed(5);
        Population population = Population.generate(WORLD, config, new SplittableRandom(6));
        FakeNetwork network = new FakeNetwork(Clock.fixed(TickingClock.BASE.plus(Duration.ofDays(1)), ZoneOffset.UTC));
        SimulationReport report = new EcosystemSimulator(new TickingClock(), Duration.ofSeconds(1))
                .run(config, WORLD, population, network, ProgressListener.NONE);

        List<OutcomePacket> packets = network.byDomain.get(DOMAIN.name());
        assertEquals(6, packets.size(), "two nodes, three rounds");
        double random = (0.10 + 0.20 + 0.05 + 0.01) / 4;
        Synthesis pooledSynthesis = new Synthesis(FidelityParams.DEFAULTS);
        Elections elections = new Elections(FidelityParams.DEFAULTS);
        NaiveAveraging seen = new NaiveAveraging();
        List<Double> loopByRound = new ArrayList<>();
        List<Double> pooledByRound = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<OutcomePacket> published = packets.subList(2 * round, 2 * round + 2);
            double loop = 0;
            for (OutcomePacket p : published) {
                loop += truth(configOf(p));
            }
            loop /= 2;
            loopByRound.add(loop);
            double naive = seen.pick(GRID).map(CounterfactualsTest::truth).orElse(random);
            // Pooled: every earlier honest packet as evidence of its own, one measurement each, by an honest author.
            List<Evidence> evidence = new ArrayList<>();
            for (OutcomePacket p : packets.subList(0, 2 * round)) {
                evidence.add(new Evidence(p.getPacketId(), p.getNodeId(), FAMILY, DOMAIN.name(), DOMAIN.tags(),
                        p.getMethod().getMethodType(), configOf(p).hyperparams(), List.of(new Measurement(p.getNodeId(),
                                PacketFactory.claimedGain(p), elections.reportWeight(p.getValidation().getNEvalSamples()))),
                        0, 0, 1.0));
            }
            double pooled = pooledSynthesis.recommend(new Synthesis.Context(FAMILY, DOMAIN.name(), DOMAIN.tags()),
                    evidence).map(x -> truth(GRID.fromRecommendation(x.methodType(), x.hyperparams()).orElseThrow()))
                    .orElse(random);
            pooledByRound.add(pooled);
            SimulationReport.RoundResult r = report.rounds().get(round);
            assertEquals(pooled, r.pooledGain(), 1e-12, "round " + round + " pooled");
            assertEquals(2, r.honestRuns());
            assertEquals(loop, r.loopGain(), 1e-12, "round " + round + " loop");
            assertEquals(random, r.noCoordinationGain(), 1e-12, "round " + round + " random");
            assertEquals(naive, r.naiveGain(), 1e-12, "round " + round + " naive");
            assertEquals(0.20, r.oracleGain(), 1e-12, "round " + round + " oracle");
            assertEquals(round == 0 ? 0 : 2, r.recommendationsApplied());
            for (OutcomePacket p : published) {
                seen.add(configOf(p), PacketFactory.claimedGain(p));
            }
        }
        var g = report.gains();
        assertEquals(1, g.fromRound());
        assertEquals(4, g.runs());
        assertEquals((loopByRound.get(1) + loopByRound.get(2)) / 2, g.loop(), 1e-12);
        assertEquals(random, g.noCoordination(), 1e-12);
        assertEquals(0.20, g.oracle(), 1e-12);
        double pooledMean = (pooledByRound.get(1) + pooledByRound.get(2)) / 2;
        assertEquals(pooledMean, g.pooledGain(), 1e-12);
        assertEquals((g.loop() - random) / (0.20 - random), g.capturedImprovement(), 1e-12);
        assertEquals(pooledMean > random ? (g.loop() - random) / (pooledMean - random) : 0, g.capturedVsPooled(),
                1e-12, "0 when the reference does not beat random");
        assertEquals(g.capturedImprovement(), g.popular().capturedImprovement(), 1e-12, "one popular domain");
        assertEquals(0, g.rare().runs());

        // Rounds 1 and 2 applied the recommendation (epsilon 0): it is the configuration each packet ran.
        int best = 0;
        int top3 = 0;
        double regret = 0;
        for (OutcomePacket p : packets.subList(2, 6)) {
            best += configOf(p).equals(C2) ? 1 : 0;
            top3 += truth(configOf(p)) >= 0.05 ? 1 : 0;
            regret += 0.20 - truth(configOf(p));
        }
        var popular = report.popularDomains();
        assertEquals(4, popular.runs());
        assertEquals(4, popular.recommended());
        assertEquals(best, popular.recommendedTrueBest());
        assertEquals(best / 4.0, popular.recommendedTrueBestRate(), 1e-12);
        assertEquals(top3, popular.recommendedTop3());
        assertEquals(regret / 4, popular.meanRegretRecommended(), 1e-12);
        assertEquals((0.20 - pooledByRound.get(1)) / 2 + (0.20 - pooledByRound.get(2)) / 2,
                popular.meanRegretPooled(), 1e-12);
        assertEquals(0, report.rareDomains().runs(), "one domain is never rare");

        boolean crossCitation = false;
        for (OutcomePacket p : packets) {
            for (String cited : p.getInformedBy()) {
                crossCitation |= !network.byId.get(cited).getNodeId().equals(p.getNodeId());
            }
        }
        assertEquals(1, report.opportunities().possiblePairs());
        assertEquals(crossCitation ? 1 : 0, report.opportunities().pairsUsed());
        assertTrue(report.byzantine().forged().sent() == 0 && report.byzantine().rejectionsByReason().isEmpty());
    }

    private static Configuration configOf(OutcomePacket p) {
        return GRID.fromRecommendation(p.getMethod().getMethodType(), p.getMethod().getHyperparams()).orElseThrow();
    }

    private static double truth(Configuration c) {
        return TRUTH[GRID.indexOf(c)];
    }
}
