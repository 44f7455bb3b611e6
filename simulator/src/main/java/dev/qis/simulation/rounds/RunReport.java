package dev.qis.simulation.rounds;

import static dev.qis.simulation.report.Measures.captured;
import static dev.qis.simulation.report.Measures.mean;
import static dev.qis.simulation.report.Measures.percent;
import static dev.qis.simulation.report.Measures.ratio;

import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationGoals;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.network.OutcomeNetwork;
import dev.qis.simulation.network.OutcomeNetwork.RejectionSeen;
import dev.qis.simulation.report.Scores;
import dev.qis.simulation.world.Domain;
import dev.qis.simulation.world.World;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The report of a finished run, from what its parts counted and scored. */
final class RunReport {
    private final SimulationConfig config;
    private final World world;
    private final Population population;
    private final OutcomeNetwork network;
    private final Sent sent;
    private final NetworkWatch watch;
    private final HonestActors honest;
    private final Adversaries adversaries;
    private final Scores scores;
    private final List<String> warnings;

    RunReport(SimulationConfig config, World world, Population population, OutcomeNetwork network, Sent sent,
              NetworkWatch watch, HonestActors honest, Adversaries adversaries, Scores scores, List<String> warnings) {
        this.config = config;
        this.world = world;
        this.population = population;
        this.network = network;
        this.sent = sent;
        this.watch = watch;
        this.honest = honest;
        this.adversaries = adversaries;
        this.scores = scores;
        this.warnings = warnings;
    }

    private SimulationReport.Attack attack(Set<String> hashes, List<RejectionSeen> rejections) {
        Map<String, Long> byReason = new TreeMap<>();
        Set<String> rejected = new HashSet<>();
        Set<String> counted = new HashSet<>();
        for (RejectionSeen r : rejections) {
            if (hashes.contains(r.valueSha256()) && counted.add(r.reason() + "/" + r.valueSha256())) {
                rejected.add(r.valueSha256());
                byReason.merge(r.reason(), 1L, Long::sum);
            }
        }
        return new SimulationReport.Attack(hashes.size(), rejected.size(), percent(rejected.size(), hashes.size()),
                byReason);
    }

    SimulationReport build() {
        List<RejectionSeen> rejections = network.rejections();
        Map<String, Long> byReason = new TreeMap<>();
        Set<String> distinct = new HashSet<>();
        Set<String> rejectedHashes = new HashSet<>();
        for (RejectionSeen r : rejections) {
            if (distinct.add(r.reason() + "/" + r.valueSha256())) {
                byReason.merge(r.reason(), 1L, Long::sum);
            }
            rejectedHashes.add(r.valueSha256());
        }
        long validRejected = Sent.countMatched(rejectedHashes, sent.valid);
        long expected = watch.baselineStored + sent.ledger.size();
        long stored = scores.rounds.isEmpty() ? watch.baselineStored
                : scores.rounds.get(scores.rounds.size() - 1).packetsStored();
        var exact = new SimulationReport.ExactReplays(sent.exactReplayCount, Sent.countMatched(rejectedHashes, sent.exactReplays),
                expected, stored, Math.max(0, stored - expected));
        var byzantine = new SimulationReport.ByzantineSummary(attack(sent.forged, rejections),
                attack(sent.tampered, rejections), exact, validRejected, byReason,
                scores.rounds.get(0).byzantineTopShare(),
                scores.rounds.get(scores.rounds.size() - 1).byzantineTopShare(),
                honest.votes, honest.votesOnByzantine, honest.votesOnByzantineFailing, honest.votesOnHonest,
                honest.votesOnHonestFailing, adversaries.sybilVouches, topShareByClass(),
                new SimulationReport.InflatedRecommendations(scores.inflatedAsks, scores.inflatedRecommendations,
                        scores.inflatedFromSybil, scores.inflatedInSybilTarget, scores.inflatedAlone));

        long n = population.nodes().size();
        long within = 0;
        for (int count : population.nodesPerDomain(world).values()) {
            within += (long) count * (count - 1) / 2;
        }
        long possible = n * (n - 1) / 2;
        var opportunities = new SimulationReport.SynthesisOpportunities(n, possible, within, honest.pairs.size(),
                ratio(honest.pairs.size(), possible), ratio(honest.pairs.size(), within), honest.citations,
                honest.citationsOfByzantine);

        int from = config.rounds() > 1 ? 1 : 0;
        double loop = 0;
        double none = 0;
        double naive = 0;
        double oracle = 0;
        double pooled = 0;
        int runs = 0;
        for (SimulationReport.RoundResult r : scores.rounds.subList(from, scores.rounds.size())) {
            loop += r.loopGain() * r.honestRuns();
            none += r.noCoordinationGain() * r.honestRuns();
            naive += r.naiveGain() * r.honestRuns();
            oracle += r.oracleGain() * r.honestRuns();
            pooled += r.pooledGain() * r.honestRuns();
            runs += r.honestRuns();
        }
        double loopMean = mean(loop, runs);
        double randomMean = mean(none, runs);
        double pooledMean = mean(pooled, runs);
        double oracleMean = mean(oracle, runs);
        var gains = new SimulationReport.GainSummary(from, runs, loopMean, randomMean, mean(naive, runs),
                oracleMean, pooledMean, captured(loopMean, randomMean, oracleMean),
                captured(pooledMean, randomMean, oracleMean), captured(loopMean, randomMean, pooledMean),
                scores.rareGains.summary(), scores.popularGains.summary());

        List<SimulationReport.LatencyCheckpoint> checkpoints = new ArrayList<>();
        Set<Integer> marks = new TreeSet<>();
        for (int q = 1; q <= 4; q++) {
            marks.add(Math.max(0, (int) Math.ceil(config.rounds() * q / 4.0) - 1));
        }
        for (int m : marks) {
            SimulationReport.RoundResult r = scores.rounds.get(m);
            checkpoints.add(new SimulationReport.LatencyCheckpoint(r.round(), r.packetsStoredAtQuery(),
                    r.synthesis(), r.topK()));
        }

        Domain target = population.sybilTarget();
        int honestRare = (int) population.honest().stream().filter(h -> h.domain().rare()).count();
        var pop = new SimulationReport.PopulationSummary(population.honest().size(),
                population.withRole(Role.INFLATOR).size(), population.withRole(Role.FORGER).size(),
                population.withRole(Role.REPLAYER).size(), population.withRole(Role.SYBIL).size(),
                population.withRole(Role.SYBIL).stream().mapToInt(s -> s.sybilKeys().size()).sum(),
                target == null ? null : target.name(),
                (int) world.domains().stream().filter(Domain::rare).count(), honestRare,
                population.nodesPerDomain(world));
        var settings = new SimulationReport.Settings(config.nodes(), config.domains(), config.rounds(),
                config.byzantineShare(), config.sybilKeys(), config.epsilon(), config.seed(),
                config.zipfExponent(), config.topK(), world.families(), world.grid().size(), network.describe(),
                config.configSpace().flag());
        var rareAccuracy = scores.rare.summary();
        var popularAccuracy = scores.popular.summary();
        return new SimulationReport(settings, pop, List.copyOf(scores.rounds), gains, rareAccuracy, popularAccuracy,
                byzantine, opportunities, checkpoints, List.copyOf(warnings),
                SimulationGoals.evaluate(gains, rareAccuracy, popularAccuracy, byzantine));
    }

    private SimulationReport.TopShareByClass topShareByClass() {
        SimulationReport.RoundResult first = scores.rounds.get(0);
        SimulationReport.RoundResult last = scores.rounds.get(scores.rounds.size() - 1);
        return new SimulationReport.TopShareByClass(first.byzantineTopSharePopular(),
                last.byzantineTopSharePopular(), first.byzantineTopShareRare(), last.byzantineTopShareRare(),
                first.byzantineTopShareSybilTarget(), last.byzantineTopShareSybilTarget());
    }
}
