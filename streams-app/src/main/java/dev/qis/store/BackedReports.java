package dev.qis.store;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backed reports on one packet, bounded whatever their number: S and F, the pooled weight and weighted gain
 * over ALL of them, and the heaviest few kept whole (for the domain candidate, whose synthesis weighs each by its
 * reporter's trust). Every report itself is one entry of {@link StoreNames#PACKET_VOTES}.
 *
 * <p>The sums are exact, so they do not depend on the order reports arrive in: a report's weight is a whole number
 * of eval samples, and its weight × gain is rounded to {@link #SCALE} decimals on its own before it is added or
 * taken away. The heaviest are chosen from the full set by weight, ties by reporter id (smaller first).
 *
 * @param successes    backed reports that reproduce the claim (S)
 * @param failures     backed reports that do not (F)
 * @param weight       Σ w_r over the backed reports, w_r = min(n_r, eval cap)
 * @param weightedGain Σ round(w_r · g_r, {@link #SCALE})
 * @param heaviest     reporter → report, at most the configured bound, the heaviest of all backed reports
 */
public record BackedReports(long successes, long failures, long weight, BigDecimal weightedGain,
                            TreeMap<String, CandidateReport> heaviest) {
    /** Decimals of one report's weight × gain: far below what a double of the pooled estimate resolves. */
    public static final int SCALE = 18;

    public static BackedReports none() {
        return new BackedReports(0, 0, 0, BigDecimal.ZERO.setScale(SCALE), new TreeMap<>());
    }

    public long count() {
        return successes + failures;
    }

    /** One report's contribution to {@link #weightedGain}: exact, whatever else is summed with it. */
    public static BigDecimal term(long weight, double gain) {
        return BigDecimal.valueOf(weight).multiply(new BigDecimal(gain)).setScale(SCALE, RoundingMode.HALF_EVEN);
    }

    /** The sums with {@code report} (of weight {@code w}) counted; the heaviest set is the caller's to update. */
    public BackedReports plus(CandidateReport report, long w) {
        return new BackedReports(successes + (report.reproduced() ? 1 : 0), failures + (report.reproduced() ? 0 : 1),
                weight + w, weightedGain.add(term(w, report.observedGain())), heaviest);
    }

    /** The sums without {@code report}, which was counted with weight {@code w}. */
    public BackedReports minus(CandidateReport report, long w) {
        return new BackedReports(successes - (report.reproduced() ? 1 : 0), failures - (report.reproduced() ? 0 : 1),
                weight - w, weightedGain.subtract(term(w, report.observedGain())), heaviest);
    }

    public BackedReports withHeaviest(TreeMap<String, CandidateReport> kept) {
        return new BackedReports(successes, failures, weight, weightedGain, kept);
    }

    /** Heaviest first: larger weight, then smaller reporter id. */
    public static Comparator<Map.Entry<String, Long>> rank() {
        return Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey);
    }
}
