package dev.qis.simulation.report;

import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.world.Domain;
import java.util.ArrayList;
import java.util.List;

/** What a run scored so far: each round's result, and every honest choice per domain class against the truth. */
public final class Scores {
    public final List<SimulationReport.RoundResult> rounds = new ArrayList<>();
    public final Accuracy rare = new Accuracy();
    public final Accuracy popular = new Accuracy();
    public final ClassSums rareGains = new ClassSums();
    public final ClassSums popularGains = new ClassSums();
    /** Asks from round 3 on in domains with at least 3 honest voters, and how many rested on a Byzantine packet. */
    public long inflatedAsks;
    public long inflatedRecommendations;
    /** Of those: resting on a Sybil key's packet; asked in the Sybil-targeted domain; citing no honest packet. */
    public long inflatedFromSybil;
    public long inflatedInSybilTarget;
    public long inflatedAlone;

    public Accuracy accuracy(Domain d) {
        return d.rare() ? rare : popular;
    }

    public ClassSums gains(Domain d) {
        return d.rare() ? rareGains : popularGains;
    }
}
