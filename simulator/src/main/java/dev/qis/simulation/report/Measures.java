package dev.qis.simulation.report;

/** The small sums a report is made of: means, ratios and shares that are 0 rather than undefined on no data. */
public final class Measures {
    private Measures() {
    }

    /** (gain − random)/(reference − random): the share of the reference's improvement over random; 0 without one. */
    public static double captured(double gain, double random, double reference) {
        double span = reference - random;
        return span > 1e-12 ? (gain - random) / span : 0;
    }

    public static double mean(double sum, int n) {
        return n == 0 ? 0 : sum / n;
    }

    public static double ratio(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    public static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
