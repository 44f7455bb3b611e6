package dev.qis.simulation.rounds;

import static dev.qis.simulation.report.Measures.mean;
import static dev.qis.simulation.report.Measures.ratio;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.Synthesis;
import dev.qis.protocol.NodeIdentity;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationException;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.actors.PacketFactory;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.actors.SimNode;
import dev.qis.simulation.network.OutcomeNetwork;
import dev.qis.simulation.network.OutcomeNetwork.Recommendation;
import dev.qis.simulation.report.Decision;
import dev.qis.simulation.report.Ledger;
import dev.qis.simulation.report.PooledAnchor;
import dev.qis.simulation.report.Scores;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.TrueEffects;
import dev.qis.simulation.world.World;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs the ecosystem round by round against an {@link OutcomeNetwork}: honest nodes ask, apply (or explore),
 * publish and vote ({@link HonestActors}); Byzantine actors attack ({@link Adversaries}); between rounds it waits
 * for the network to catch up ({@link NetworkWatch}). It scores every honest choice against the hidden truth
 * ({@link World}) and against the counterfactuals (naive averaging, {@link PooledAnchor}), and returns the report
 * ({@link RunReport}).
 */
public final class EcosystemSimulator {
    /** Evaluation noise: the sd of an observed relative gain is NOISE / sqrt(n_eval). */
    static final double NOISE = 0.6;
    /** The rules of the elections, shared with the stream app. */
    static final Elections ELECTIONS = new Elections(FidelityParams.DEFAULTS);
    static final double CONFIDENCE_HALF_EVAL = 300;
    static final Duration DEFAULT_SETTLE_TIMEOUT = Duration.ofMinutes(2);
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    public static final int DEFAULT_QUERY_THREADS = 8;

    private final Clock clock;
    private final Duration settleTimeout;
    private final int queryThreads;

    public EcosystemSimulator() {
        this(Clock.systemUTC(), DEFAULT_SETTLE_TIMEOUT, DEFAULT_QUERY_THREADS);
    }

    public EcosystemSimulator(Clock clock, Duration settleTimeout) {
        this(clock, settleTimeout, DEFAULT_QUERY_THREADS);
    }

    /**
     * @param queryThreads how many honest nodes ask for their synthesis at once (nodes are independent; the
     *                     answers are used in node order, so the run does not depend on this)
     */
    public EcosystemSimulator(Clock clock, Duration settleTimeout, int queryThreads) {
        if (queryThreads < 1) {
            throw new SimulationException("query threads must be at least 1, got " + queryThreads);
        }
        this.clock = clock;
        this.settleTimeout = settleTimeout;
        this.queryThreads = queryThreads;
    }

    public SimulationReport run(SimulationConfig config, OutcomeNetwork network, ProgressListener progress) {
        SplittableRandom root = new SplittableRandom(config.seed());
        World world = World.generate(config, root.split());
        Population population = Population.generate(world, config, root.split());
        return new Run(config, world, population, network, progress).execute();
    }

    /** Runs a prepared world and population (tests build small, hand-checkable ones). */
    public SimulationReport run(SimulationConfig config, World world, Population population, OutcomeNetwork network,
            ProgressListener progress) {
        return new Run(config, world, population, network, progress).execute();
    }

    static double observe(double trueGain, int nEval, SplittableRandom rng) {
        return trueGain + TrueEffects.gaussian(rng) * NOISE / Math.sqrt(nEval);
    }

    static boolean voteSucceeds(double observedGain, double claimedGain) {
        return ELECTIONS.reproduces(claimedGain, observedGain);
    }

    /** One run: the world and its actors, played round by round, scored against the truth. */
    private final class Run implements RunLog {
        private final SimulationConfig config;
        private final World world;
        private final Population population;
        private final OutcomeNetwork network;
        private final ProgressListener progress;
        private final List<String> warnings = new ArrayList<>();
        private final Sent sent = new Sent();
        private final Scores scores = new Scores();
        private final LatencyRecorder synthesisLatency = new LatencyRecorder();
        private final LatencyRecorder topKLatency = new LatencyRecorder();
        private final HonestActors honest;
        private final Adversaries adversaries;
        private final NetworkWatch watch;
        private final Synthesis pooledSynthesis = new Synthesis(FidelityParams.DEFAULTS);
        private long stepsDone;
        private final long stepsTotal;

        Run(SimulationConfig config, World world, Population population, OutcomeNetwork network,
                ProgressListener progress) {
            this.config = config;
            this.world = world;
            this.population = population;
            this.network = network;
            this.progress = progress;
            PacketFactory packets = new PacketFactory(clock);
            this.honest = new HonestActors(config, world, network, packets, sent, queryThreads, synthesisLatency,
                    this);
            this.adversaries = new Adversaries(world, population, network, packets, sent);
            this.watch = new NetworkWatch(world, population, network, sent, settleTimeout, config.topK(),
                    topKLatency, this);
            // Per round: one question per honest node, one publishing turn per actor.
            stepsTotal = (long) config.rounds() * (population.honest().size() + population.nodes().size());
        }

        SimulationReport execute() {
            List<NodeIdentity> identities = population.identities();
            for (NodeIdentity id : identities) {
                network.register(id);
            }
            network.flush();
            if (!network.awaitRegistered(identities.stream().map(NodeIdentity::nodeId).toList())) {
                warn("the network was not ready within its timeout after the node keys were sent; early packets may"
                        + " be refused as UNKNOWN_NODE");
            }
            watch.baselineStored = watch.storedInOurDomains();
            if (watch.baselineStored > 0) {
                warn(watch.baselineStored + " packets were already stored in this run's domains ("
                        + config.domainPrefix() + "-d..); they take part in synthesis and in the counts");
            }
            for (int round = 0; round < config.rounds(); round++) {
                playRound(round);
            }
            SimulationReport report = new RunReport(config, world, population, network, sent, watch, honest,
                    adversaries, scores, warnings).build();
            progress.finished(report);
            return report;
        }

        private void playRound(int round) {
            synthesisLatency.reset();
            topKLatency.reset();
            List<SimulationReport.RoundResult> rounds = scores.rounds;
            long storedAtQuery = round == 0 ? watch.baselineStored : rounds.get(round - 1).packetsStored();
            // Phase 1: every honest node decides from the evidence of the rounds before (nothing it publishes
            // this round can inform another node in the same round).
            List<Decision> decisions = new ArrayList<>();
            double loop = 0;
            double noCoordination = 0;
            double naive = 0;
            double oracle = 0;
            int applied = 0;
            int explored = 0;
            int noEvidence = 0;
            List<SimNode> honestNodes = population.honest();
            List<Optional<Recommendation>> answers = honest.ask(honestNodes, round);
            PooledAnchor pooled = new PooledAnchor(sent.ledger, world.grid(), pooledSynthesis, ELECTIONS);
            double pooledSum = 0;
            int from = config.rounds() > 1 ? 1 : 0;
            for (int i = 0; i < honestNodes.size(); i++) {
                SimNode node = honestNodes.get(i);
                Decision d = honest.decide(node, answers.get(i));
                decisions.add(d);
                TrueEffects truth = node.domain().effects();
                Optional<Configuration> naivePick = sent.ledger.naivePick(node.domain(), world.grid());
                Optional<Configuration> pooledPick = pooled.pick(node);
                double trueGain = truth.gain(node.family(), d.config());
                double naiveGain = naivePick.map(c -> truth.gain(node.family(), c)).orElse(truth.meanGain(node.family()));
                double pooledGain = pooledPick.map(c -> truth.gain(node.family(), c))
                        .orElse(truth.meanGain(node.family()));
                loop += trueGain;
                noCoordination += truth.meanGain(node.family());
                naive += naiveGain;
                oracle += truth.bestGain(node.family());
                pooledSum += pooledGain;
                if (d.recommendation() != null && d.applied()) {
                    applied++;
                } else if (d.recommendation() != null) {
                    explored++;
                }
                if (d.recommendation() == null) {
                    noEvidence++;
                }
                if (round >= from) {
                    scores.gains(node.domain()).add(trueGain, truth.meanGain(node.family()), naiveGain, pooledGain,
                            truth.bestGain(node.family()));
                }
                if (round > 0) {
                    scores.accuracy(node.domain()).score(node, d, naivePick, pooledPick);
                }
                countInflated(node, d, round);
            }
            // Phase 2: publish.
            int decisionIndex = 0;
            for (SimNode node : population.nodes()) {
                if (node.role() == Role.HONEST) {
                    honest.publish(node, decisions.get(decisionIndex++), round);
                } else {
                    adversaries.play(node, round);
                }
                step(round, "publishing");
            }
            adversaries.endRound();
            network.flush();
            progress.progress(round, config.rounds(), stepsDone, stepsTotal, "waiting for the stream app");
            long stored = watch.settle(round);
            progress.progress(round, config.rounds(), stepsDone, stepsTotal, "measuring top-k");
            int[] slots = watch.measureTopK();
            int runs = decisions.size();
            SimulationReport.RoundResult result = new SimulationReport.RoundResult(round, runs, applied, explored,
                    noEvidence, mean(loop, runs), mean(noCoordination, runs), mean(naive, runs), mean(oracle, runs),
                    storedAtQuery, watch.baselineStored + sent.ledger.size(), stored, slots[1],
                    ratio(slots[0], slots[1]), synthesisLatency.stats(), topKLatency.stats(), mean(pooledSum, runs),
                    ratio(slots[2], slots[3]), ratio(slots[4], slots[5]), ratio(slots[6], slots[7]));
            rounds.add(result);
            progress.roundFinished(result, config.rounds());
        }

        /**
         * From round 3 on, in a domain where at least 3 honest actors have voted: counts the ask, and counts it as
         * inflated when the answer's heaviest evidence packet (its first packet id) is Byzantine.
         */
        private void countInflated(SimNode node, Decision d, int round) {
            if (round < 3 || honest.votersByDomain.getOrDefault(node.domain().name(), Set.of()).size() < 3) {
                return;
            }
            scores.inflatedAsks++;
            if (d.recommendation() != null && !d.recommendation().packetIds().isEmpty()) {
                List<String> cited = d.recommendation().packetIds();
                Optional<Ledger.Entry> heaviest = sent.ledger.get(cited.get(0));
                if (heaviest.isPresent() && heaviest.get().role().byzantine()) {
                    scores.inflatedRecommendations++;
                    if (heaviest.get().role() == Role.SYBIL) {
                        scores.inflatedFromSybil++;
                    }
                    if (node.domain().equals(population.sybilTarget())) {
                        scores.inflatedInSybilTarget++;
                    }
                    if (cited.stream().map(sent.ledger::get)
                            .noneMatch(e -> e.isPresent() && !e.get().role().byzantine())) {
                        scores.inflatedAlone++;
                    }
                }
            }
        }

        @Override
        public void step(int round, String phase) {
            stepsDone++;
            progress.progress(round, config.rounds(), stepsDone, stepsTotal, phase);
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
            progress.warning(message);
        }

        @Override
        public void warnOnce(String message) {
            if (!warnings.contains(message)) {
                warn(message);
            }
        }
    }
}
