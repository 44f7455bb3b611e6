package dev.qis.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ElectionsTest {
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long T0 = 1_790_000_000_000L;
    private final Elections e = new Elections(FidelityParams.DEFAULTS);
    private final FidelityParams p = FidelityParams.DEFAULTS;

    private static Measurement m(String node, double gain, double weight) {
        return new Measurement(node, gain, weight);
    }

    @Test
    void aFreshNodeHasTheTrustOfAnUnknownAndAnUnreportedPacketIsNotListed() {
        assertEquals(0.5, Elections.trust(0, 0));
        assertEquals(1.0, Elections.vote(0, 0));
        FidelityScore s = e.score(m("a", 0.1, 200), List.of(), 0, 0, Elections.trust(0, 0), T0, T0);
        assertFalse(s.routed(), "a claim nobody reproduced is not listed");
        assertEquals(0.1 * 200 / (p.priorWeight() + 200), s.expectedGain(), 1e-15);
    }

    @Test
    void earnedTrustMovesWithBackedReportsOnly() {
        assertEquals(3.0 / 4, Elections.trust(2, 0), 1e-15);
        assertEquals(1.0 / 4, Elections.trust(0, 2), 1e-15);
        double previous = 0.5;
        for (int f = 1; f <= 20; f++) {
            double t = Elections.trust(0, f);
            assertTrue(t < previous && t > 0, "trust " + t + " after " + f + " refutations");
            previous = t;
        }
    }

    @Test
    void aClaimWeighsLessThanAnIndependentRunOfTheSameSizeAndNoSizeBuysUnboundedWeight() {
        assertEquals(p.claimFactor() * 0.8 * 400, e.claimWeight(0.8, 400, true), 1e-12);
        assertTrue(e.claimWeight(0.8, 400, true) < e.reportWeight(400));
        assertEquals(e.claimWeight(1.0, p.evalCap(), true), e.claimWeight(1.0, Integer.MAX_VALUE, true));
        assertEquals(e.claimWeight(0.8, 400, true) * p.notHeldOutFactor(), e.claimWeight(0.8, 400, false), 1e-12);
        assertEquals(0.0, e.claimWeight(0.0, 400, true));
        assertEquals(0.0, e.claimWeight(Double.NaN, 400, true));
        assertEquals(p.evalCap(), e.reportWeight(Integer.MAX_VALUE));
    }

    @Test
    void reproductionsPullAnInflatedClaimTowardWhatOthersObserved() {
        Measurement inflated = m("inflator", 0.40, e.claimWeight(0.99, 5000, true));
        double alone = e.expectedGain(List.of(inflated));
        List<Measurement> all = new ArrayList<>(List.of(inflated));
        double previous = alone;
        for (int i = 0; i < 8; i++) {
            all.add(m("r" + i, 0.05, e.reportWeight(600)));
            double now = e.expectedGain(all);
            assertTrue(now < previous, "each reproduction at 0.05 pulls it down: " + now);
            previous = now;
        }
        assertTrue(previous < 0.12, "after 8 independent runs the estimate is near what they saw: " + previous);
    }

    @Test
    void aReportReproducesWhenItsGainIsAtLeastHalfTheClaim() {
        double claimed = e.gain(60, 66, true);
        assertTrue(e.reproduces(claimed, e.gain(60, 63, true)));
        assertFalse(e.reproduces(claimed, e.gain(60, 62.9, true)));
        assertEquals(0.5, e.gain(2.0, 1.0, false), 1e-15);
    }

    @Test
    void listingNeedsMoreBackedReproductionsThanRefutationsAndAPositiveEstimate() {
        Measurement claim = m("a", 0.1, 200);
        List<Measurement> two = List.of(m("b", 0.09, 500), m("c", 0.02, 500));
        assertTrue(e.score(claim, two, 2, 1, 0.5, T0, T0).routed());
        assertFalse(e.score(claim, two, 1, 1, 0.5, T0, T0).routed(), "a tie is not a majority");
        assertFalse(e.score(m("a", -0.1, 200), List.of(m("b", -0.1, 500)), 1, 0, 0.5, T0, T0).routed());
    }

    @Test
    void decayHalvesAtTheHalfLife() {
        assertEquals(1.0, e.decay(T0, T0));
        assertEquals(0.5, e.decay(T0, T0 + 30 * DAY), 1e-15);
        Elections week = new Elections(new FidelityParams(Duration.ofDays(7), 0.5, 0.5, 1e-6, 200, 2, 8, 0.5, 1000,
                300, 1.0, 0.25, 0.5));
        assertEquals(0.5, week.decay(T0, T0 + 7 * DAY), 1e-15);
    }

    @Test
    void rankingByTheLogScoreEqualsRankingByDecayedExpectedGainAtAnyLaterTime() {
        Random random = new Random(42);
        for (int trial = 0; trial < 2000; trial++) {
            double g1 = random.nextDouble() * 0.5;
            double g2 = random.nextDouble() * 0.5;
            long i1 = T0 + random.nextInt(200) * DAY / 3;
            long i2 = T0 + random.nextInt(200) * DAY / 3;
            double byLog = Math.signum(e.logScore(g1, i1) - e.logScore(g2, i2));
            for (long t : new long[] {T0 + 70 * DAY, T0 + 400 * DAY, T0 + 3000 * DAY}) {
                double f1 = g1 * e.decay(i1, t);
                double f2 = g2 * e.decay(i2, t);
                if (Math.abs(f1 - f2) > 1e-9 * Math.max(f1, f2)) {
                    assertEquals(byLog, Math.signum(f1 - f2), "trial " + trial + " at t=" + t);
                }
            }
        }
    }

    @Test
    void theIntervalNarrowsAsEvidenceGrows() {
        FidelityScore one = e.score(m("a", 0.1, 100), List.of(), 0, 0, 0.5, T0, T0);
        FidelityScore many = e.score(m("a", 0.1, 100), List.of(m("b", 0.1, 1000), m("c", 0.1, 1000)), 2, 0, 0.5,
                T0, T0);
        assertTrue(one.expectedGainLow() < one.expectedGain() && one.expectedGain() < one.expectedGainHigh());
        assertTrue(many.expectedGainHigh() - many.expectedGainLow() < one.expectedGainHigh() - one.expectedGainLow());
        assertEquals(2100, many.evidenceWeight(), 1e-9);
    }

    @Test
    void noInputInRangeYieldsNaNOrAnInfinity() {
        double[] scores = {0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300, -1e-300, 1e-6, 0.5, -1.0, 61.2,
            1e300, -1e300, 1e303, Double.MAX_VALUE, -Double.MAX_VALUE};
        double[] confidences = {0.0, Double.MIN_VALUE, 0.5, 1.0};
        int[] nEvals = {0, 1, 400, Integer.MAX_VALUE};
        long[] tallies = {0, 1, Long.MAX_VALUE / 4};
        long epoch = dev.qis.protocol.FieldRules.PROTOCOL_EPOCH.toEpochMilli();
        long[] issued = {epoch, T0, T0 + 400 * DAY};
        for (double baseline : scores) {
            for (double outcome : scores) {
                for (boolean higher : new boolean[] {true, false}) {
                    double gain = e.gain(baseline, outcome, higher);
                    String where = "baseline " + baseline + ", outcome " + outcome + ", gain " + gain;
                    assertTrue(Math.abs(gain) <= 100.0, where);
                    for (double confidence : confidences) {
                        for (int n : nEvals) {
                            double w = e.claimWeight(confidence, n, false);
                            assertTrue(Double.isFinite(w) && w >= 0, where + ": claim weight " + w);
                            for (long s : tallies) {
                                for (long at : issued) {
                                    FidelityScore score = e.score(m("a", gain, w),
                                            List.of(m("b", -gain, e.reportWeight(n))), s, s / 2,
                                            Elections.trust(s, s / 2), at, at + 3000 * DAY);
                                    if (!allFinite(score)) {
                                        fail(where + ", weight " + w + ", at " + at + ": " + score);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void aNegativeOrZeroEstimateHasAFiniteKeyBelowEveryPositiveOne() {
        double nothing = e.logScore(0.0, T0);
        double negative = e.logScore(-5.0, T0);
        double smallest = e.logScore(1e-12, T0);
        assertTrue(Double.isFinite(nothing) && Double.isFinite(negative));
        assertTrue(nothing < smallest && negative <= nothing);
        assertEquals(100.0, e.gain(0.0, 1e303, true), "clamped to the protocol bound");
        assertEquals(-100.0, e.gain(-Double.MAX_VALUE, Double.MAX_VALUE, false), "an overflow is clamped too");
    }

    private static boolean allFinite(FidelityScore s) {
        return Double.isFinite(s.curate()) && Double.isFinite(s.vote()) && Double.isFinite(s.trust())
                && Double.isFinite(s.decay()) && Double.isFinite(s.fidelity()) && Double.isFinite(s.logScore())
                && Double.isFinite(s.expectedGain()) && Double.isFinite(s.expectedGainLow())
                && Double.isFinite(s.expectedGainHigh()) && Double.isFinite(s.evidenceWeight());
    }
}
