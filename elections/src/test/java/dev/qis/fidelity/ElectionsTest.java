package dev.qis.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ElectionsTest {
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long T0 = 1_790_000_000_000L;
    private final Elections e = new Elections(FidelityParams.DEFAULTS);

    @Test
    void anUnvotedPacketFromANewNodeHasVoteAndTrustOne() {
        assertEquals(1.0, Elections.vote(0, 0));
        assertEquals(1.0, Elections.trust(0, 0));
        FidelityScore s = e.score(2.0, 0, 0, Elections.trust(0, 0), T0, T0);
        assertEquals(1.0, s.vote());
        assertEquals(1.0, s.trust());
        assertEquals(2.0, s.fidelity(), 1e-12);
    }

    @Test
    void reproductionMovesTheVoteTowardTwoAndRefutationTowardZero() {
        double previous = 1.0;
        for (int s = 1; s <= 50; s++) {
            double v = Elections.vote(s, 0);
            assertTrue(v > previous && v < 2.0, "vote " + v + " after " + s + " reproductions");
            previous = v;
        }
        previous = 1.0;
        for (int f = 1; f <= 50; f++) {
            double v = Elections.vote(0, f);
            assertTrue(v < previous && v > 0.0, "vote " + v + " after " + f + " refutations");
            previous = v;
        }
        assertEquals(2.0 * 3 / 4, Elections.vote(2, 0), 1e-15);
        assertEquals(2.0 / 4, Elections.vote(0, 2), 1e-15);
    }

    @Test
    void aReportReproducesWhenItsGainIsAtLeastHalfTheClaim() {
        double claimed = e.gain(60, 66, true);
        assertTrue(e.reproduces(claimed, e.gain(60, 63, true)));
        assertFalse(e.reproduces(claimed, e.gain(60, 62.9, true)));
        // lower is better: a drop in error is a gain
        assertEquals(0.5, e.gain(2.0, 1.0, false), 1e-15);
    }

    @Test
    void citationsRaiseCurate() {
        double none = e.curate(0.1, 0.9, 400, true, 0);
        assertEquals(0.1 * 0.9 * 20, none, 1e-12);
        assertEquals(none * (1 + Math.log(2)), e.curate(0.1, 0.9, 400, true, 1), 1e-12);
        assertTrue(e.curate(0.1, 0.9, 400, true, 10) > e.curate(0.1, 0.9, 400, true, 1));
        assertEquals(none / 2, e.curate(0.1, 0.9, 400, false, 0), 1e-12);
        assertEquals(0.0, e.curate(-0.3, 0.9, 400, true, 5));
    }

    @Test
    void decayHalvesAtTheHalfLife() {
        assertEquals(1.0, e.decay(T0, T0));
        assertEquals(0.5, e.decay(T0, T0 + 30 * DAY), 1e-15);
        assertEquals(0.25, e.decay(T0, T0 + 60 * DAY), 1e-15);
        Elections week = new Elections(new FidelityParams(Duration.ofDays(7), 0.01, 0.25, 0.5, 0.5, 1e-6, 200, 2,
                0.6, 0.25, 0.15));
        assertEquals(0.5, week.decay(T0, T0 + 7 * DAY), 1e-15);
    }

    @Test
    void aPacketRefutedBelowAQuarterIsUnrouted() {
        FidelityScore refuted = e.score(50.0, 0, 7, 1.0, T0, T0); // vote = 2/9
        assertTrue(refuted.vote() < 0.25);
        assertTrue(refuted.fidelity() > e.params().routeThreshold(), "high fidelity alone does not route");
        assertFalse(refuted.routed());
        assertTrue(e.score(50.0, 0, 6, 1.0, T0, T0).routed()); // vote = 0.25
        assertFalse(e.score(0.0, 0, 0, 1.0, T0, T0).routed(), "no gain, no routing");
    }

    @Test
    void rankingByTheLogScoreEqualsRankingByDecayedFidelityAtAnyLaterTime() {
        Random random = new Random(42);
        for (int trial = 0; trial < 2000; trial++) {
            double c1 = random.nextDouble() * 10;
            double c2 = random.nextDouble() * 10;
            double v1 = Elections.vote(random.nextInt(5), random.nextInt(5));
            double v2 = Elections.vote(random.nextInt(5), random.nextInt(5));
            long i1 = T0 + random.nextInt(200) * DAY / 3;
            long i2 = T0 + random.nextInt(200) * DAY / 3;
            double byLog = Math.signum(e.logScore(c1, v1, i1) - e.logScore(c2, v2, i2));
            for (long t : new long[] {T0 + 70 * DAY, T0 + 400 * DAY, T0 + 3000 * DAY}) {
                double f1 = c1 * v1 * e.decay(i1, t);
                double f2 = c2 * v2 * e.decay(i2, t);
                if (Math.abs(f1 - f2) > 1e-9 * Math.max(f1, f2)) {
                    assertEquals(byLog, Math.signum(f1 - f2), "trial " + trial + " at t=" + t);
                }
            }
        }
    }

    @Test
    void fidelityIsTheProductOfTheFourForces() {
        FidelityScore s = e.score(3.0, 2.0, 1.0, 1.25, T0, T0 + 15 * DAY);
        assertEquals(Elections.vote(2, 1), s.vote(), 1e-15);
        assertEquals(3.0 * s.vote() * 1.25 * Math.pow(2, -0.5), s.fidelity(), 1e-12);
    }

    @Test
    void noInputInRangeYieldsNaNOrAnInfinity() {
        double[] scores = {0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300, -1e-300, 1e-6, 0.5, -1.0, 61.2,
            1e300, -1e300, 1e303, Double.MAX_VALUE, -Double.MAX_VALUE};
        double[] confidences = {0.0, Double.MIN_VALUE, 0.5, 1.0};
        int[] nEvals = {1, 400, Integer.MAX_VALUE};
        long[] citations = {0, 3, Long.MAX_VALUE};
        double[] tallies = {0.0, 1.0, 1e18};
        long epoch = dev.qis.protocol.FieldRules.PROTOCOL_EPOCH.toEpochMilli();
        long[] issued = {epoch, T0, T0 + 400 * DAY};
        for (double baseline : scores) {
            for (double outcome : scores) {
                for (boolean higher : new boolean[] {true, false}) {
                    double gain = e.gain(baseline, outcome, higher);
                    String where = "baseline " + baseline + ", outcome " + outcome + ", gain " + gain;
                    assertTrue(Math.abs(gain) <= 100.0, where);
                    assertTrue(e.reproduces(gain, gain) || gain < 0, where);
                    for (double confidence : confidences) {
                        for (int n : nEvals) {
                            for (long c : citations) {
                                double curate = e.curate(gain, confidence, n, false, c);
                                assertTrue(Double.isFinite(curate) && curate >= 0, where + ": curate " + curate);
                                if (confidence == 0.0) {
                                    assertEquals(0.0, curate, where + ": no confidence, no curate");
                                }
                                for (double s : tallies) {
                                    for (double f : tallies) {
                                        for (long at : issued) {
                                            FidelityScore score = e.score(curate, s, f, Elections.trust((long) f, (long) s),
                                                    at, at + 3000 * DAY);
                                            double intrinsic = e.intrinsicLogScore(curate, (long) s, (long) f, at);
                                            if (!allFinite(score, intrinsic)) {
                                                fail(where + ", curate " + curate + ", at " + at + ": " + score
                                                        + ", intrinsic " + intrinsic);
                                            }
                                        }
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
    void aCandidateWithoutGainOrConfidenceRanksBelowEveryOtherButHasAFiniteKey() {
        double nothing = e.logScore(e.curate(0.4, 0.0, 400, true, 0), 1.0, T0);
        double smallest = e.logScore(e.curate(1e-12, 0.01, 1, false, 0), Elections.vote(0, 50), T0);
        assertTrue(Double.isFinite(nothing));
        assertTrue(nothing < smallest, nothing + " vs " + smallest);
        assertEquals(0.0, e.curate(Double.POSITIVE_INFINITY, 0.0, 400, true, 0), "no confidence, no curate");
        assertEquals(100.0, e.gain(0.0, 1e303, true), "clamped to the protocol bound");
        assertEquals(-100.0, e.gain(-Double.MAX_VALUE, Double.MAX_VALUE, false), "an overflow is clamped too");
    }

    private static boolean allFinite(FidelityScore s, double intrinsic) {
        return Double.isFinite(s.curate()) && Double.isFinite(s.vote()) && Double.isFinite(s.trust())
                && Double.isFinite(s.decay()) && Double.isFinite(s.fidelity()) && Double.isFinite(s.logScore())
                && Double.isFinite(intrinsic);
    }
}
