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
        List<String> warnings) {

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
     * (loop), a uniformly random one (no coordination, its exact expectation), the naive-averaging pick, and the
     * true best (oracle).
     */
    public record RoundResult(int round, int honestRuns, int recommendationsApplied, int explorations,
            int noEvidence, double loopGain, double noCoordinationGain, double naiveGain, double oracleGain,
            long packetsStoredAtQuery, long packetsExpected, long packetsStored, int topSlots,
            double byzantineTopShare, LatencyStats synthesis, LatencyStats topK) {
    }

    /** Mean true gain per honest run over the rounds where coordination can act (round 1 on). */
    public record GainSummary(int fromRound, int runs, double loop, double noCoordination, double naive,
            double oracle) {
    }

    /** How often the configuration chosen for a run is the true best for its domain and family. */
    public record RecommendationAccuracy(int runs, int recommended, int recommendedTrueBest,
            double recommendedTrueBestRate, int naiveAvailable, int naiveTrueBest, double naiveTrueBestRate,
            double meanRegretRecommended, double meanRegretNaive, int noEvidence) {
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
            long sybilVouches) {
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
