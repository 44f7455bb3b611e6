package dev.qis.simulation;

import java.util.ArrayList;
import java.util.List;

/** What a run scored so far: each round's result, and every honest choice per domain class against the truth. */
final class Scores {
    final List<SimulationReport.RoundResult> rounds = new ArrayList<>();
    final Accuracy rare = new Accuracy();
    final Accuracy popular = new Accuracy();
    final ClassSums rareGains = new ClassSums();
    final ClassSums popularGains = new ClassSums();
    /** Asks from round 3 on in domains with at least 3 honest voters, and how many rested on a Byzantine packet. */
    long inflatedAsks;
    long inflatedRecommendations;

    Accuracy accuracy(Domain d) {
        return d.rare() ? rare : popular;
    }

    ClassSums gains(Domain d) {
        return d.rare() ? rareGains : popularGains;
    }
}
