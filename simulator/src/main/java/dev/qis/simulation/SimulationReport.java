package dev.qis.simulation;

import java.util.List;
import java.util.Map;

/**
 * The measured answer to the QIS claims for one run: gains against counterfactuals, rare-domain accuracy,
 * Byzantine rejection and top-k share, synthesis opportunities used, and query latency against packets stored.
 * docs/simulation.md defines every field.
 */
public record SimulationReport(Settings settings, PopulationSummary population, List<RoundResult> rounds,
        GainSummary gains, RecommendationAccuracy rareDomains, RecommendationAccuracy popularDomains,
        ByzantineSummary byzantine, SynthesisOpportunities opportunities, List<LatencyCheckpoint> latency,
        List<String> warnings, List<Goal> goals) {

    /** The settings of the run and where the network was. */
    public record Settings(int nodes, int domains, int rounds, double byzantineShare, int sybilKeys, double epsilon,
            long seed, double zipfExponent, int topK, List<String> families, int configurations, String network,
            String configSpace) {
    }

    /** Who took part. */
    public record PopulationSummary(int honest, int inflators, int forgers, int replayers, int sybilActors,
            int sybilKeys, String sybilTargetDomain, int rareDomains, int honestNodesInRareDomains,
            Map<String, Integer> nodesPerDomain) {
    }

    /**
     * One round. Gains are means over the round's honest runs of the TRUE gain of: the configuration actually run
     * (loop), a uniformly random one (no coordination, its exact expectation), the naive-averaging pick, the true
     * best (oracle), and the pick of one central store of every honest observation so far (pooled). The Byzantine
     * share of the top-k slots is given overall and per domain class (popular; rare other than the Sybil target;
     * the Sybil target).
     */
    public record RoundResult(int round, int honestRuns, int recommendationsApplied, int explorations,
            int noEvidence, double loopGain, double noCoordinationGain, double naiveGain, double oracleGain,
            long packetsStoredAtQuery, long packetsExpected, long packetsStored, int topSlots,
            double byzantineTopShare, LatencyStats synthesis, LatencyStats topK, double pooledGain,
            double byzantineTopSharePopular, double byzantineTopShareRare, double byzantineTopShareSybilTarget) {
    }

    /**
     * Mean true gain per honest run over the rounds where coordination can act (round 1 on), overall and per
     * domain class; captured improvement = (loop − random)/(oracle − random); captured vs pooled =
     * (loop − random)/(pooled − random).
     */
    public record GainSummary(int fromRound, int runs, double loop, double noCoordination, double naive,
            double oracle, double pooledGain, double capturedImprovement, double pooledCapturedImprovement,
            double capturedVsPooled, ClassGains rare, ClassGains popular) {
    }

    /** The same means for the runs of one domain class. */
    public record ClassGains(int runs, double loop, double noCoordination, double naive, double pooled,
            double oracle, double capturedImprovement, double naiveCapturedImprovement,
            double pooledCapturedImprovement) {
    }

    /**
     * How good the configuration chosen for a run is: regret (true best gain − true gain of the pick) and top-3 hit
     * rate (the pick is among the 3 truly best for the domain and family) of synthesis's recommendation, of naive
     * averaging and of the pooled store; and the older true-best counts.
     */
    public record RecommendationAccuracy(int runs, int recommended, int recommendedTrueBest,
            double recommendedTrueBestRate, int naiveAvailable, int naiveTrueBest, double naiveTrueBestRate,
            double meanRegretRecommended, double meanRegretNaive, int noEvidence, int recommendedTop3,
            double recommendedTop3Rate, int naiveTop3, double naiveTop3Rate, int pooledTop3, double pooledTop3Rate,
            double meanRegretPooled) {
    }

    /** The Byzantine share of top-k slots per domain class, before votes (round 0) and after (last round). */
    public record TopShareByClass(double popularBefore, double popularAfter, double rareBefore, double rareAfter,
            double sybilTargetBefore, double sybilTargetAfter) {
    }

    /**
     * Honest asks from round 3 on, in domains where at least 3 honest nodes had voted, and how many of them were
     * answered with a recommendation whose heaviest evidence packet is Byzantine (must be 0); of those, how many
     * rested on a Sybil key's packet (the others on an inflator's), how many were asked in the Sybil-targeted domain,
     * and how many cited no honest packet at all (the Byzantine packet stood alone at its point).
     */
    public record InflatedRecommendations(long asks, long inflated, long fromSybilKeys, long inSybilTarget,
            long alone) {
    }

    /**
     * One goal of the elections (docs/simulation.md): its id, what it asks, the measured figure, the bound and
     * whether it was met.
     */
    public record Goal(String id, String goal, double figure, double bound, boolean met) {
    }

    /** One attack: what was sent, how much of it the network rejected, and with which reason codes. */
    public record Attack(long sent, long rejected, double rejectedPercent, Map<String, Long> byReason) {
    }

    /** Byte-identical replays: they must be neither rejected nor counted twice. */
    public record ExactReplays(long sent, long rejected, long packetsExpected, long packetsStored,
            long doubleCounted) {
    }

    public record ByzantineSummary(Attack forged, Attack tamperedReplays, ExactReplays exactReplays,
            long validPacketsRejected, Map<String, Long> rejectionsByReason, double byzantineTopShareBeforeVotes,
            double byzantineTopShareAfterVotes, long honestVotes, long honestVotesOnByzantine,
            long honestVotesOnByzantineFailing, long honestVotesOnHonest, long honestVotesOnHonestFailing,
            long sybilVouches, TopShareByClass byzantineTopShareByClass,
            InflatedRecommendations inflatedRecommendations) {
    }

    /** Distinct node pairs where one's packet informed the other's run, against every possible pair. */
    public record SynthesisOpportunities(long nodes, long possiblePairs, long possiblePairsWithinDomains,
            long pairsUsed, double shareOfPossible, double shareOfWithinDomain, long citations,
            long citationsOfByzantine) {
    }

    /** Latency of the round's queries against the packets stored when they were asked. */
    public record LatencyCheckpoint(int round, long packetsStored, LatencyStats synthesis, LatencyStats topK) {
    }
}
