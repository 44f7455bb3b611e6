package dev.qis.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
