package dev.qis.simulation.report;

import static dev.qis.simulation.report.Measures.mean;
import static dev.qis.simulation.report.Measures.ratio;

import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.actors.SimNode;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.TrueEffects;
import java.util.Optional;

/** Counts for the rare-domain (or popular-domain) accuracy claim. */
public final class Accuracy {
    static final int TOP = 3;
    private int runs;
    private int recommended;
    private int recommendedBest;
    private int recommendedTop;
    private int naiveAvailable;
    private int naiveBest;
    private int naiveTop;
    private int pooledTop;
    private int noEvidence;
    private double regretRecommended;
    private double regretNaive;
    private double regretPooled;

    public void score(SimNode node, Decision d, Optional<Configuration> naivePick, Optional<Configuration> pooledPick) {
        TrueEffects truth = node.domain().effects();
        String family = node.family();
        double bestGain = truth.bestGain(family);
        double fallback = truth.meanGain(family);
        runs++;
        if (d.recommendation() == null) {
            noEvidence++;
            regretRecommended += bestGain - fallback;
        } else {
            // Scored whether or not the node explored this time: the claim is about what synthesis answers.
            recommended++;
            if (d.recommended() != null) {
                recommendedBest += truth.inTop(family, d.recommended(), 1) ? 1 : 0;
                recommendedTop += truth.inTop(family, d.recommended(), TOP) ? 1 : 0;
                regretRecommended += bestGain - truth.gain(family, d.recommended());
            } else {
                regretRecommended += bestGain - fallback;
            }
        }
        if (naivePick.isPresent()) {
            naiveAvailable++;
            naiveBest += truth.inTop(family, naivePick.get(), 1) ? 1 : 0;
            naiveTop += truth.inTop(family, naivePick.get(), TOP) ? 1 : 0;
            regretNaive += bestGain - truth.gain(family, naivePick.get());
        } else {
            regretNaive += bestGain - fallback;
        }
        if (pooledPick.isPresent()) {
            pooledTop += truth.inTop(family, pooledPick.get(), TOP) ? 1 : 0;
            regretPooled += bestGain - truth.gain(family, pooledPick.get());
        } else {
            regretPooled += bestGain - fallback;
        }
    }

    public SimulationReport.RecommendationAccuracy summary() {
        return new SimulationReport.RecommendationAccuracy(runs, recommended, recommendedBest,
                ratio(recommendedBest, runs), naiveAvailable, naiveBest, ratio(naiveBest, runs),
                mean(regretRecommended, runs), mean(regretNaive, runs), noEvidence, recommendedTop,
                ratio(recommendedTop, runs), naiveTop, ratio(naiveTop, runs), pooledTop, ratio(pooledTop, runs),
                mean(regretPooled, runs));
    }
}
