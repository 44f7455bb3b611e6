package dev.qis.simulation;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.Measurement;
import dev.qis.fidelity.Synthesis;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.simulation.OutcomeNetwork.Recommendation;
import dev.qis.simulation.OutcomeNetwork.RejectionSeen;
import dev.qis.simulation.OutcomeNetwork.TopEntry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the ecosystem round by round against an {@link OutcomeNetwork}: honest nodes ask, apply (or explore),
 * publish and vote; Byzantine actors attack; between rounds it waits for the network to catch up. It scores every
 * honest choice against the hidden truth and against the counterfactuals, and returns the report.
 */
public final class EcosystemSimulator {
    /** Evaluation noise: the sd of an observed relative gain is NOISE / sqrt(n_eval). */
    static final double NOISE = 0.6;
    /** What an inflator adds to the gain its configuration really gives. */
    static final double INFLATION_MIN = 0.20;
    static final double INFLATION_MAX = 0.35;
    static final int INFLATED_EVAL = 5000;
    static final double INFLATED_CONFIDENCE = 0.99;
    /** The rules of the elections, shared with the stream app. */
    static final Elections ELECTIONS = new Elections(FidelityParams.DEFAULTS);
    /** The VOTE rule of the elections: a report reproduces a claim when observed gain ≥ this share of it. */
    static final double VOTE_SUCCESS_RATIO = FidelityParams.DEFAULTS.successRatio();
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

    /** The state of one run. */
    private final class Run {
        private final SimulationConfig config;
        private final World world;
        private final Population population;
        private final OutcomeNetwork network;
        private final ProgressListener progress;
        private final PacketFactory packets = new PacketFactory(clock);
        private final Ledger ledger = new Ledger();
        private final List<String> warnings = new ArrayList<>();
        private final Map<String, Role> roleOfNode = new HashMap<>();
        private final Map<String, Integer> actorOfNode = new HashMap<>();
        private final Set<String> domainNames = new HashSet<>();

        private final Set<String> forgedSent = new LinkedHashSet<>();
        private final Set<String> tamperedSent = new LinkedHashSet<>();
        private final Set<String> exactReplaySent = new LinkedHashSet<>();
        /** SHA-256 of every packet expected to be accepted: a valid packet refused anyway is not waited for. */
        private final Set<String> validSent = new HashSet<>();
        private long exactReplays;
        private final Set<Long> pairs = new HashSet<>();
        private long citations;
        private long citationsOfByzantine;
        private long honestVotes;
        private long votesOnByzantine;
        private long votesOnByzantineFailing;
        private long votesOnHonest;
        private long votesOnHonestFailing;
        private long sybilVouches;
        private final Accuracy rare = new Accuracy();
        private final Accuracy popular = new Accuracy();
        private final ClassSums rareGains = new ClassSums();
        private final ClassSums popularGains = new ClassSums();
        /** Per domain, the honest actors that voted there so far. */
        private final Map<String, Set<Integer>> honestVoters = new HashMap<>();
        private long inflatedAsks;
        private long inflatedRecommendations;
        private final Synthesis pooledSynthesis = new Synthesis(FidelityParams.DEFAULTS);
        private final List<SimulationReport.RoundResult> rounds = new ArrayList<>();
        private final LatencyRecorder synthesisLatency = new LatencyRecorder();
        private final LatencyRecorder topKLatency = new LatencyRecorder();
        private List<SignedPacket> sybilPrevious = List.of();
        private long baselineStored;
        private long stepsDone;
        private final long stepsTotal;

        Run(SimulationConfig config, World world, Population population, OutcomeNetwork network,
                ProgressListener progress) {
            this.config = config;
            this.world = world;
            this.population = population;
            this.network = network;
            this.progress = progress;
            for (SimNode n : population.nodes()) {
                for (NodeIdentity id : n.identities()) {
                    roleOfNode.put(id.nodeId(), n.role());
                    actorOfNode.put(id.nodeId(), n.index());
                }
            }
            world.domains().forEach(d -> domainNames.add(d.name()));
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
            baselineStored = storedInOurDomains();
            if (baselineStored > 0) {
                warn(baselineStored + " packets were already stored in this run's domains (" + config.domainPrefix()
                        + "-d..); they take part in synthesis and in the counts");
            }
            for (int round = 0; round < config.rounds(); round++) {
                playRound(round);
            }
            SimulationReport report = report();
            progress.finished(report);
            return report;
        }

        private void playRound(int round) {
            synthesisLatency.reset();
            topKLatency.reset();
            long storedAtQuery = round == 0 ? baselineStored : rounds.get(round - 1).packetsStored();
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
            List<SimNode> honest = population.honest();
            List<Optional<Recommendation>> answers = ask(honest, round);
            Pooled pooled = new Pooled();
            double pooledSum = 0;
            int from = config.rounds() > 1 ? 1 : 0;
            for (int i = 0; i < honest.size(); i++) {
                SimNode node = honest.get(i);
                Decision d = decide(node, answers.get(i));
                decisions.add(d);
                TrueEffects truth = node.domain().effects();
                Optional<Configuration> naivePick = ledger.naivePick(node.domain(), world.grid());
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
                    (node.domain().rare() ? rareGains : popularGains).add(trueGain, truth.meanGain(node.family()),
                            naiveGain, pooledGain, truth.bestGain(node.family()));
                }
                if (round > 0) {
                    Accuracy acc = node.domain().rare() ? rare : popular;
                    acc.score(node, d, naivePick, pooledPick);
                }
                countInflated(node, d, round);
            }
            // Phase 2: publish.
            List<SignedPacket> sybilThisRound = new ArrayList<>();
            int decisionIndex = 0;
            for (SimNode node : population.nodes()) {
                switch (node.role()) {
                    case HONEST -> publishHonest(node, decisions.get(decisionIndex++), round);
                    case INFLATOR -> publishInflated(node, node.identity(), round);
                    case SYBIL -> sybilThisRound.addAll(publishSybil(node, round));
                    case FORGER -> publishForged(node);
                    case REPLAYER -> publishReplays(node, round);
                }
                step(round, "publishing");
            }
            sybilPrevious = sybilThisRound;
            network.flush();
            progress.progress(round, config.rounds(), stepsDone, stepsTotal, "waiting for the stream app");
            long stored = settle(round);
            progress.progress(round, config.rounds(), stepsDone, stepsTotal, "measuring top-k");
            int[] slots = measureTopK();
            int runs = decisions.size();
            SimulationReport.RoundResult result = new SimulationReport.RoundResult(round, runs, applied, explored,
                    noEvidence, mean(loop, runs), mean(noCoordination, runs), mean(naive, runs), mean(oracle, runs),
                    storedAtQuery, baselineStored + ledger.size(), stored, slots[1],
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
            if (round < 3 || honestVoters.getOrDefault(node.domain().name(), Set.of()).size() < 3) {
                return;
            }
            inflatedAsks++;
            if (d.recommendation() != null && !d.recommendation().packetIds().isEmpty()) {
                Optional<Ledger.Entry> heaviest = ledger.get(d.recommendation().packetIds().get(0));
                if (heaviest.isPresent() && heaviest.get().role().byzantine()) {
                    inflatedRecommendations++;
                }
            }
        }

        /**
         * The pooled anchor of one round: what one central store of every honest run's raw observation so far would
         * recommend. Each observation is evidence with one measurement (its observed gain, weighing
         * {@code Elections.reportWeight(n_eval)}, trust 1); observations of one configuration in one domain and
         * family are one piece of evidence with several measurements, which leaves every estimate the same. The
         * store answers a domain from that domain's observations, of every family; another domain's runs (whose
         * surface has its own optimum) only while the domain has none. Answers are cached per domain and family
         * (every node that shares them asks the same question).
         */
        private final class Pooled {
            private final Map<String, List<Evidence>> byDomain = new HashMap<>();
            private final List<Evidence> all = new ArrayList<>();
            private final Map<String, Optional<Configuration>> answers = new HashMap<>();

            Pooled() {
                Map<String, List<Ledger.Entry>> groups = new java.util.LinkedHashMap<>();
                for (Ledger.Entry e : ledger.all()) {
                    if (e.role() == Role.HONEST) {
                        groups.computeIfAbsent(e.domain().name() + "\u0000" + e.family() + "\u0000"
                                + Synthesis.configurationKey(e.config().method(), e.config().hyperparams()),
                                k -> new ArrayList<>()).add(e);
                    }
                }
                for (List<Ledger.Entry> group : groups.values()) {
                    Ledger.Entry first = group.get(0);
                    List<Measurement> measurements = new ArrayList<>();
                    for (Ledger.Entry e : group) {
                        measurements.add(new Measurement(e.packet().packet().getNodeId(), e.claimedGain(),
                                ELECTIONS.reportWeight(e.packet().packet().getValidation().getNEvalSamples())));
                    }
                    Evidence evidence = new Evidence(first.id(), first.packet().packet().getNodeId(), first.family(),
                            first.domain().name(), first.domain().tags(), first.config().method(),
                            first.config().hyperparams(), measurements);
                    byDomain.computeIfAbsent(first.domain().name(), k -> new ArrayList<>()).add(evidence);
                    all.add(evidence);
                }
            }

            Optional<Configuration> pick(SimNode node) {
                String domain = node.domain().name();
                return answers.computeIfAbsent(domain + "\u0000" + node.family(), k -> pooledSynthesis
                        .recommend(new Synthesis.Context(node.family(), domain, node.domain().tags()),
                                byDomain.getOrDefault(domain, all))
                        .flatMap(r -> world.grid().fromRecommendation(r.methodType(), r.hyperparams())));
            }
        }

        /** Every honest node's question, asked {@code queryThreads} at a time; answers in node order. */
        private List<Optional<Recommendation>> ask(List<SimNode> nodes, int round) {
            List<Optional<Recommendation>> answers = new ArrayList<>(nodes.size());
            ExecutorService pool = Executors.newFixedThreadPool(queryThreads);
            try {
                List<Future<Timed>> pending = new ArrayList<>(nodes.size());
                for (SimNode node : nodes) {
                    pending.add(pool.submit(() -> {
                        long start = System.nanoTime();
                        Optional<Recommendation> rec = network.synthesize(node.domain().name(), node.family(),
                                node.domain().tags());
                        return new Timed(rec, System.nanoTime() - start);
                    }));
                }
                for (Future<Timed> f : pending) {
                    Timed t = f.get();
                    synthesisLatency.record(t.nanos());
                    answers.add(t.answer());
                    step(round, "asking for synthesis");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SimulationException("interrupted while asking for synthesis", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof RuntimeException r ? r
                        : new SimulationException("a synthesis call failed: " + cause, cause);
            } finally {
                pool.shutdownNow();
            }
            return answers;
        }

        /**
         * Follows the recommendation, or explores with probability ε: a uniformly random configuration, or, with
         * {@code --explore-with alternative}, the network's exploration alternative when it offers one the grid
         * knows. A node that applies a recommendation or an alternative cites that answer's packets (and votes on
         * them).
         */
        private Decision decide(SimNode node, Optional<Recommendation> rec) {
            SplittableRandom rng = node.rng();
            boolean explore = rng.nextDouble() < config.epsilon();
            Configuration random = world.grid().random(rng);
            if (rec.isEmpty()) {
                return new Decision(random, null, null, false, List.of());
            }
            Optional<Configuration> recommended = world.grid().fromRecommendation(rec.get().methodType(),
                    rec.get().hyperparams());
            if (recommended.isEmpty()) {
                warnOnce("a recommendation named method '" + rec.get().methodType() + "', which the simulated grid "
                        + "does not know; the node explored instead");
                return new Decision(random, rec.get(), null, false, List.of());
            }
            if (!explore) {
                return new Decision(recommended.get(), rec.get(), recommended.get(), true, rec.get().packetIds());
            }
            Optional<OutcomeNetwork.Exploration> alternative = config.exploreWithAlternative()
                    ? rec.get().explorationAlternative() : Optional.empty();
            Optional<Configuration> tried = alternative.flatMap(a -> world.grid().fromRecommendation(a.methodType(),
                    a.hyperparams()));
            if (tried.isPresent()) {
                return new Decision(tried.get(), rec.get(), recommended.get(), false, alternative.get().packetIds());
            }
            return new Decision(random, rec.get(), recommended.get(), false, List.of());
        }

        private void publishHonest(SimNode node, Decision d, int round) {
            double trueGain = node.domain().effects().gain(node.family(), d.config());
            double observed = observe(trueGain, node.nEval(), node.rng());
            List<String> used = new ArrayList<>();
            for (String id : d.cited()) {
                if (used.size() < dev.qis.protocol.FieldRules.MAX_INFORMED_BY && PacketId.isValid(id)) {
                    used.add(id);
                }
            }
            double confidence = node.nEval() / (node.nEval() + CONFIDENCE_HALF_EVAL);
            SignedPacket p = packets.outcome(node.identity(), node.domain(), node.family(), node, d.config(),
                    observed, node.nEval(), confidence, used);
            network.publish(p);
            record(new Ledger.Entry(p, node.index(), Role.HONEST, node.domain(), node.family(), d.config(),
                    observed, round));
            for (String cited : p.packet().getInformedBy()) {
                Optional<Ledger.Entry> source = ledger.get(cited);
                if (source.isEmpty()) {
                    continue;
                }
                citations++;
                Ledger.Entry e = source.get();
                if (e.role().byzantine()) {
                    citationsOfByzantine++;
                }
                if (e.author() != node.index()) {
                    int a = Math.min(e.author(), node.index());
                    int b = Math.max(e.author(), node.index());
                    pairs.add(((long) a << 32) | b);
                    // The node tried what these packets recommended: it reports whether their claims held.
                    network.vote(packets.vote(node.identity(), cited, node.domain().baselineScore(), observed,
                            node.nEval()));
                    honestVotes++;
                    honestVoters.computeIfAbsent(node.domain().name(), k -> new HashSet<>()).add(node.index());
                    boolean fails = !voteSucceeds(observed, e.claimedGain());
                    if (e.role().byzantine()) {
                        votesOnByzantine++;
                        votesOnByzantineFailing += fails ? 1 : 0;
                    } else {
                        votesOnHonest++;
                        votesOnHonestFailing += fails ? 1 : 0;
                    }
                }
            }
        }

        private void record(Ledger.Entry entry) {
            ledger.add(entry);
            validSent.add(PacketFactory.sha256(entry.packet().bytes()));
        }

        private SignedPacket inflated(SimNode node, NodeIdentity signer, SplittableRandom rng) {
            Configuration c = node.promoted();
            double claim = node.domain().effects().gain(node.family(), c)
                    + INFLATION_MIN + rng.nextDouble() * (INFLATION_MAX - INFLATION_MIN);
            return packets.outcome(signer, node.domain(), node.family(), node, c, claim, INFLATED_EVAL,
                    INFLATED_CONFIDENCE, List.of());
        }

        private void publishInflated(SimNode node, NodeIdentity signer, int round) {
            SignedPacket p = inflated(node, signer, node.rng());
            network.publish(p);
            record(new Ledger.Entry(p, node.index(), node.role(), node.domain(), node.family(), node.promoted(),
                    PacketFactory.claimedGain(p.packet()), round));
        }

        private List<SignedPacket> publishSybil(SimNode node, int round) {
            List<SignedPacket> published = new ArrayList<>();
            for (NodeIdentity key : node.sybilKeys()) {
                SignedPacket p = inflated(node, key, node.rng());
                network.publish(p);
                record(new Ledger.Entry(p, node.index(), Role.SYBIL, node.domain(), node.family(),
                        node.promoted(), PacketFactory.claimedGain(p.packet()), round));
                published.add(p);
            }
            // Collusion: each key vouches that another key's packet of the last round reproduced its claim.
            for (int k = 0; k < sybilPrevious.size() && k < node.sybilKeys().size(); k++) {
                SignedPacket other = sybilPrevious.get((k + 1) % sybilPrevious.size());
                if (other.packet().getNodeId().equals(node.sybilKeys().get(k).nodeId())) {
                    continue;
                }
                network.vote(packets.vote(node.sybilKeys().get(k), other.id(), node.domain().baselineScore(),
                        PacketFactory.claimedGain(other.packet()), INFLATED_EVAL));
                sybilVouches++;
            }
            return published;
        }

        private void publishForged(SimNode node) {
            List<SimNode> honest = population.honest();
            if (honest.isEmpty()) {
                return;
            }
            List<SimNode> local = honest.stream().filter(h -> h.domain().equals(node.domain())).toList();
            List<SimNode> victims = local.isEmpty() ? honest : local;
            SimNode victim = victims.get(node.rng().nextInt(victims.size()));
            Configuration c = world.grid().random(node.rng());
            double claim = node.domain().effects().gain(node.family(), c)
                    + INFLATION_MIN + node.rng().nextDouble() * (INFLATION_MAX - INFLATION_MIN);
            SignedPacket own = packets.outcome(node.identity(), node.domain(), node.family(), node, c, claim,
                    INFLATED_EVAL, INFLATED_CONFIDENCE, List.of());
            byte[] forged = PacketFactory.forge(own, victim.identity().nodeId(), node.identity());
            network.publishRaw(own.fingerprint(), forged);
            forgedSent.add(PacketFactory.sha256(forged));
        }

        private void publishReplays(SimNode node, int round) {
            List<Ledger.Entry> local = ledger.inDomain(node.domain().name());
            List<Ledger.Entry> pool = local.isEmpty() ? new ArrayList<>(ledger.all()) : local;
            if (pool.isEmpty()) {
                return;
            }
            Ledger.Entry target = pool.get(node.rng().nextInt(pool.size()));
            SignedPacket original = target.packet();
            network.publishRaw(original.fingerprint(), original.bytes().clone());
            exactReplays++;
            exactReplaySent.add(PacketFactory.sha256(original.bytes()));
            double boost = INFLATION_MIN + node.rng().nextDouble() * (INFLATION_MAX - INFLATION_MIN);
            byte[] tampered = PacketFactory.tamper(original, boost, round % 2 == 0);
            network.publishRaw(original.fingerprint(), tampered);
            tamperedSent.add(PacketFactory.sha256(tampered));
        }

        /** Waits until the network stored every accepted packet and rejected every attack sent; never a blind sleep. */
        private long settle(int round) {
            long deadline = System.nanoTime() + settleTimeout.toNanos();
            while (true) {
                Set<String> refused = rejectedHashes();
                long expected = baselineStored + ledger.size() - countMatched(refused, validSent);
                long stored = storedInOurDomains();
                long rejected = countMatched(refused, forgedSent) + countMatched(refused, tamperedSent);
                long wantRejected = forgedSent.size() + tamperedSent.size();
                if (stored >= expected && rejected >= wantRejected) {
                    return stored;
                }
                if (System.nanoTime() > deadline) {
                    warn("round " + round + ": the stream app did not catch up within " + settleTimeout.toSeconds()
                            + " s: " + stored + " of " + expected + " packets stored, " + rejected + " of "
                            + wantRejected + " attacks rejected; going on");
                    return stored;
                }
                try {
                    Thread.sleep(POLL_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SimulationException("interrupted while waiting for the stream app", e);
                }
            }
        }

        /**
         * Byzantine and total top-k slots: overall, then popular domains, rare domains other than the Sybil target,
         * and the Sybil target.
         */
        private int[] measureTopK() {
            int[] counts = new int[8];
            Domain target = population.sybilTarget();
            for (Domain d : world.domains()) {
                if (ledger.inDomain(d.name()).isEmpty()) {
                    continue;
                }
                long start = System.nanoTime();
                List<TopEntry> top = network.topK(d.name(), config.topK());
                topKLatency.record(System.nanoTime() - start);
                int cls = d.equals(target) ? 6 : d.rare() ? 4 : 2;
                for (TopEntry e : top) {
                    Role role = roleOfNode.get(e.nodeId());
                    int byzantine = role != null && role.byzantine() ? 1 : 0;
                    counts[0] += byzantine;
                    counts[1]++;
                    counts[cls] += byzantine;
                    counts[cls + 1]++;
                }
            }
            return counts;
        }

        private long storedInOurDomains() {
            long sum = 0;
            for (Map.Entry<String, Long> e : network.packetsStored().entrySet()) {
                if (domainNames.contains(e.getKey())) {
                    sum += e.getValue();
                }
            }
            return sum;
        }

        private Set<String> rejectedHashes() {
            Set<String> hashes = new HashSet<>();
            for (RejectionSeen r : network.rejections()) {
                hashes.add(r.valueSha256());
            }
            return hashes;
        }

        private static long countMatched(Set<String> seen, Set<String> sent) {
            long n = 0;
            for (String h : sent) {
                if (seen.contains(h)) {
                    n++;
                }
            }
            return n;
        }

        private SimulationReport.Attack attack(Set<String> sent, List<RejectionSeen> rejections) {
            Map<String, Long> byReason = new TreeMap<>();
            Set<String> rejected = new HashSet<>();
            Set<String> counted = new HashSet<>();
            for (RejectionSeen r : rejections) {
                if (sent.contains(r.valueSha256()) && counted.add(r.reason() + "/" + r.valueSha256())) {
                    rejected.add(r.valueSha256());
                    byReason.merge(r.reason(), 1L, Long::sum);
                }
            }
            return new SimulationReport.Attack(sent.size(), rejected.size(), percent(rejected.size(), sent.size()),
                    byReason);
        }

        private SimulationReport report() {
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
            long validRejected = countMatched(rejectedHashes, validSent);
            long expected = baselineStored + ledger.size();
            long stored = rounds.isEmpty() ? baselineStored : rounds.get(rounds.size() - 1).packetsStored();
            var exact = new SimulationReport.ExactReplays(exactReplays, countMatched(rejectedHashes, exactReplaySent),
                    expected, stored, Math.max(0, stored - expected));
            var byzantine = new SimulationReport.ByzantineSummary(attack(forgedSent, rejections),
                    attack(tamperedSent, rejections), exact, validRejected, byReason,
                    rounds.get(0).byzantineTopShare(), rounds.get(rounds.size() - 1).byzantineTopShare(),
                    honestVotes, votesOnByzantine, votesOnByzantineFailing, votesOnHonest, votesOnHonestFailing,
                    sybilVouches, topShareByClass(),
                    new SimulationReport.InflatedRecommendations(inflatedAsks, inflatedRecommendations));

            long n = population.nodes().size();
            long within = 0;
            for (int count : population.nodesPerDomain(world).values()) {
                within += (long) count * (count - 1) / 2;
            }
            long possible = n * (n - 1) / 2;
            var opportunities = new SimulationReport.SynthesisOpportunities(n, possible, within, pairs.size(),
                    ratio(pairs.size(), possible), ratio(pairs.size(), within), citations, citationsOfByzantine);

            int from = config.rounds() > 1 ? 1 : 0;
            double loop = 0;
            double none = 0;
            double naive = 0;
            double oracle = 0;
            double pooled = 0;
            int runs = 0;
            for (SimulationReport.RoundResult r : rounds.subList(from, rounds.size())) {
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
                    rareGains.summary(), popularGains.summary());

            List<SimulationReport.LatencyCheckpoint> checkpoints = new ArrayList<>();
            Set<Integer> marks = new java.util.TreeSet<>();
            for (int q = 1; q <= 4; q++) {
                marks.add(Math.max(0, (int) Math.ceil(config.rounds() * q / 4.0) - 1));
            }
            for (int m : marks) {
                SimulationReport.RoundResult r = rounds.get(m);
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
            var rareAccuracy = rare.summary();
            var popularAccuracy = popular.summary();
            return new SimulationReport(settings, pop, List.copyOf(rounds), gains, rareAccuracy, popularAccuracy,
                    byzantine, opportunities, checkpoints, List.copyOf(warnings),
                    SimulationGoals.evaluate(gains, rareAccuracy, popularAccuracy, byzantine));
        }

        private SimulationReport.TopShareByClass topShareByClass() {
            SimulationReport.RoundResult first = rounds.get(0);
            SimulationReport.RoundResult last = rounds.get(rounds.size() - 1);
            return new SimulationReport.TopShareByClass(first.byzantineTopSharePopular(),
                    last.byzantineTopSharePopular(), first.byzantineTopShareRare(), last.byzantineTopShareRare(),
                    first.byzantineTopShareSybilTarget(), last.byzantineTopShareSybilTarget());
        }

        private void step(int round, String phase) {
            stepsDone++;
            progress.progress(round, config.rounds(), stepsDone, stepsTotal, phase);
        }

        private void warn(String message) {
            warnings.add(message);
            progress.warning(message);
        }

        private void warnOnce(String message) {
            if (!warnings.contains(message)) {
                warn(message);
            }
        }
    }

    /**
     * What an honest node ran in one round; the recommendation it had (null on no evidence) and the grid
     * configuration it stands for (null when it names an unknown method); whether the node applied it; the
     * packets it cites: the recommendation's or the exploration alternative's, whichever it ran, else none.
     */
    private record Decision(Configuration config, Recommendation recommendation, Configuration recommended,
            boolean applied, List<String> cited) {
    }

    /** A synthesis answer and how long it took. */
    private record Timed(Optional<Recommendation> answer, long nanos) {
    }

    /** Counts for the rare-domain (or popular-domain) accuracy claim. */
    private static final class Accuracy {
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

        void score(SimNode node, Decision d, Optional<Configuration> naivePick, Optional<Configuration> pooledPick) {
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

        SimulationReport.RecommendationAccuracy summary() {
            return new SimulationReport.RecommendationAccuracy(runs, recommended, recommendedBest,
                    ratio(recommendedBest, runs), naiveAvailable, naiveBest, ratio(naiveBest, runs),
                    mean(regretRecommended, runs), mean(regretNaive, runs), noEvidence, recommendedTop,
                    ratio(recommendedTop, runs), naiveTop, ratio(naiveTop, runs), pooledTop, ratio(pooledTop, runs),
                    mean(regretPooled, runs));
        }
    }

    /** Sums of true gains over one domain class's runs, from the first round coordination can act. */
    private static final class ClassSums {
        private int runs;
        private double loop;
        private double random;
        private double naive;
        private double pooled;
        private double oracle;

        void add(double loopGain, double randomGain, double naiveGain, double pooledGain, double oracleGain) {
            runs++;
            loop += loopGain;
            random += randomGain;
            naive += naiveGain;
            pooled += pooledGain;
            oracle += oracleGain;
        }

        SimulationReport.ClassGains summary() {
            double l = mean(loop, runs);
            double r = mean(random, runs);
            double n = mean(naive, runs);
            double p = mean(pooled, runs);
            double o = mean(oracle, runs);
            return new SimulationReport.ClassGains(runs, l, r, n, p, o, captured(l, r, o), captured(n, r, o),
                    captured(p, r, o));
        }
    }

    /** (gain − random)/(reference − random): the share of the reference's improvement over random; 0 without one. */
    static double captured(double gain, double random, double reference) {
        double span = reference - random;
        return span > 1e-12 ? (gain - random) / span : 0;
    }

    static double mean(double sum, int n) {
        return n == 0 ? 0 : sum / n;
    }

    static double ratio(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
