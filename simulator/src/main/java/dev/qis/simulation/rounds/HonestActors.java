package dev.qis.simulation.rounds;

import dev.qis.protocol.FieldRules;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.SignedPacket;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationException;
import dev.qis.simulation.actors.PacketFactory;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.actors.SimNode;
import dev.qis.simulation.network.OutcomeNetwork;
import dev.qis.simulation.network.OutcomeNetwork.Recommendation;
import dev.qis.simulation.report.Decision;
import dev.qis.simulation.report.Ledger;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.World;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the honest nodes do each round: ask the network for a synthesis, follow it or explore, run the configuration,
 * publish the outcome citing what informed it, and vote on every cited packet of another node. Keeps the counts
 * of citations and votes the report gives.
 */
final class HonestActors {
    private final SimulationConfig config;
    private final World world;
    private final OutcomeNetwork network;
    private final PacketFactory packets;
    private final Sent sent;
    private final int queryThreads;
    private final LatencyRecorder synthesisLatency;
    private final RunLog log;

    final Set<Long> pairs = new HashSet<>();
    long citations;
    long citationsOfByzantine;
    long votes;
    long votesOnByzantine;
    long votesOnByzantineFailing;
    long votesOnHonest;
    long votesOnHonestFailing;
    /** Per domain, the honest actors that voted there so far. */
    final Map<String, Set<Integer>> votersByDomain = new HashMap<>();

    HonestActors(SimulationConfig config, World world, OutcomeNetwork network, PacketFactory packets, Sent sent,
                 int queryThreads, LatencyRecorder synthesisLatency, RunLog log) {
        this.config = config;
        this.world = world;
        this.network = network;
        this.packets = packets;
        this.sent = sent;
        this.queryThreads = queryThreads;
        this.synthesisLatency = synthesisLatency;
        this.log = log;
    }

    /** Every honest node's question, asked {@code queryThreads} at a time; answers in node order. */
    List<Optional<Recommendation>> ask(List<SimNode> nodes, int round) {
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
                log.step(round, "asking for synthesis");
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
    Decision decide(SimNode node, Optional<Recommendation> rec) {
        SplittableRandom rng = node.rng();
        boolean explore = rng.nextDouble() < config.epsilon();
        Configuration random = world.grid().random(rng);
        if (rec.isEmpty()) {
            return new Decision(random, null, null, false, List.of());
        }
        Optional<Configuration> recommended = world.grid().fromRecommendation(rec.get().methodType(),
                rec.get().hyperparams());
        if (recommended.isEmpty()) {
            log.warnOnce("a recommendation named method '" + rec.get().methodType() + "', which the simulated grid "
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

    /** Runs the decision, publishes its outcome citing what informed it, and votes on the cited packets. */
    void publish(SimNode node, Decision d, int round) {
        double trueGain = node.domain().effects().gain(node.family(), d.config());
        double observed = EcosystemSimulator.observe(trueGain, node.nEval(), node.rng());
        List<String> used = new ArrayList<>();
        for (String id : d.cited()) {
            if (used.size() < FieldRules.MAX_INFORMED_BY && PacketId.isValid(id)) {
                used.add(id);
            }
        }
        double confidence = node.nEval() / (node.nEval() + EcosystemSimulator.CONFIDENCE_HALF_EVAL);
        SignedPacket p = packets.outcome(node.identity(), node.domain(), node.family(), node, d.config(),
                observed, node.nEval(), confidence, used);
        network.publish(p);
        sent.record(new Ledger.Entry(p, node.index(), Role.HONEST, node.domain(), node.family(), d.config(),
                observed, round));
        for (String cited : p.packet().getInformedBy()) {
            Optional<Ledger.Entry> source = sent.ledger.get(cited);
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
                votes++;
                votersByDomain.computeIfAbsent(node.domain().name(), k -> new HashSet<>()).add(node.index());
                boolean fails = !EcosystemSimulator.voteSucceeds(observed, e.claimedGain());
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

    /** A synthesis answer and how long it took. */
    private record Timed(Optional<Recommendation> answer, long nanos) {
    }
}
