package dev.qis.simulation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The goals the elections must meet in a simulation (docs/simulation.md, "Goals"), measured from round 1 on:
 * each with the figure a report shows and its bound. {@link #check} turns them into assertions for tests that run
 * a simulation against the real system.
 */
public final class SimulationGoals {
    public static final String CAPTURED_OVERALL = "captured-overall";
    public static final String CAPTURED_RARE = "captured-rare";
    public static final String REGRET_RARE = "regret-rare";
    public static final String REGRET_POPULAR = "regret-popular";
    public static final String POOLED_SHARE = "pooled-share";
    public static final String BYZANTINE_TOP = "byzantine-top";
    public static final String BYZANTINE_SYBIL_TARGET = "byzantine-sybil-target";
    public static final String INFLATED_RECOMMENDATIONS = "inflated-recommendations";

    static final double CAPTURED_OVERALL_MIN = 0.70;
    static final double CAPTURED_RARE_MIN = 0.60;
    static final double POOLED_SHARE_MIN = 0.90;
    static final double BYZANTINE_TOP_MAX = 0.02;
    static final double BYZANTINE_SYBIL_TARGET_MAX = 0.10;

    private SimulationGoals() {
    }

    /** Every goal, from a run's measurements. */
    public static List<SimulationReport.Goal> evaluate(SimulationReport.GainSummary gains,
            SimulationReport.RecommendationAccuracy rare, SimulationReport.RecommendationAccuracy popular,
            SimulationReport.ByzantineSummary byzantine) {
        List<SimulationReport.Goal> goals = new ArrayList<>();
        goals.add(atLeast(CAPTURED_OVERALL, "captured improvement, overall", gains.capturedImprovement(),
                CAPTURED_OVERALL_MIN));
        goals.add(atLeast(CAPTURED_RARE, "captured improvement, rare domains", gains.rare().capturedImprovement(),
                CAPTURED_RARE_MIN));
        goals.add(below(REGRET_RARE, "regret below naive averaging's, rare domains", rare.meanRegretRecommended(),
                rare.meanRegretNaive()));
        goals.add(below(REGRET_POPULAR, "regret below naive averaging's, popular domains",
                popular.meanRegretRecommended(), popular.meanRegretNaive()));
        goals.add(atLeast(POOLED_SHARE, "loop's improvement over random / pooled's", gains.capturedVsPooled(),
                POOLED_SHARE_MIN));
        goals.add(atMost(BYZANTINE_TOP, "Byzantine share of top-k after votes, overall",
                byzantine.byzantineTopShareAfterVotes(), BYZANTINE_TOP_MAX));
        goals.add(atMost(BYZANTINE_SYBIL_TARGET, "Byzantine share of top-k after votes, Sybil target",
                byzantine.byzantineTopShareByClass().sybilTargetAfter(), BYZANTINE_SYBIL_TARGET_MAX));
        goals.add(atMost(INFLATED_RECOMMENDATIONS, "recommendations resting on a Byzantine packet (round 3+, 3+ honest"
                + " voters)", byzantine.inflatedRecommendations().inflated(), 0));
        return List.copyOf(goals);
    }

    /**
     * Throws an {@link AssertionError} naming every missed goal among {@code ids} (all goals when none is given),
     * with its figure and bound.
     */
    public static void check(SimulationReport report, String... ids) {
        List<String> wanted = Arrays.asList(ids);
        List<String> missed = new ArrayList<>();
        for (SimulationReport.Goal g : report.goals()) {
            if ((wanted.isEmpty() || wanted.contains(g.id())) && !g.met()) {
                missed.add(describe(g));
            }
        }
        for (String id : wanted) {
            if (report.goals().stream().noneMatch(g -> g.id().equals(id))) {
                throw new IllegalArgumentException("no such goal: " + id);
            }
        }
        if (!missed.isEmpty()) {
            throw new AssertionError("goals missed: " + String.join("; ", missed));
        }
    }

    /**
     * Throws an {@link AssertionError} unless the Byzantine share of top-k slots after votes is at most
     * {@code maxShare}: for small simulations, whose bound a test chooses (the goal's own is 2 %).
     */
    public static void checkByzantineTopShare(SimulationReport report, double maxShare) {
        double after = report.byzantine().byzantineTopShareAfterVotes();
        if (!(after <= maxShare)) {
            throw new AssertionError(String.format(Locale.ROOT, "Byzantine share of top-k after votes %.4f exceeds"
                    + " %.4f (before votes %.4f)", after, maxShare, report.byzantine().byzantineTopShareBeforeVotes()));
        }
    }

    /** "MET captured improvement, overall: 0.7412 (bound ≥ 0.7000)". */
    public static String describe(SimulationReport.Goal g) {
        String relation = switch (g.id()) {
            case CAPTURED_OVERALL, CAPTURED_RARE, POOLED_SHARE -> "≥";
            case REGRET_RARE, REGRET_POPULAR -> "<";
            default -> "≤";
        };
        return String.format(Locale.ROOT, "%s %s: %.4f (bound %s %.4f)", g.met() ? "MET" : "MISSED", g.goal(),
                g.figure(), relation, g.bound());
    }

    private static SimulationReport.Goal atLeast(String id, String goal, double figure, double bound) {
        return new SimulationReport.Goal(id, goal, figure, bound, figure >= bound);
    }

    private static SimulationReport.Goal atMost(String id, String goal, double figure, double bound) {
        return new SimulationReport.Goal(id, goal, figure, bound, figure <= bound);
    }

    private static SimulationReport.Goal below(String id, String goal, double figure, double bound) {
        return new SimulationReport.Goal(id, goal, figure, bound, figure < bound);
    }
}
