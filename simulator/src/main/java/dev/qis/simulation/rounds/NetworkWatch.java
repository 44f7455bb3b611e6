package dev.qis.simulation.rounds;

import dev.qis.protocol.NodeIdentity;
import dev.qis.simulation.SimulationException;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.actors.SimNode;
import dev.qis.simulation.network.OutcomeNetwork;
import dev.qis.simulation.network.OutcomeNetwork.RejectionSeen;
import dev.qis.simulation.network.OutcomeNetwork.TopEntry;
import dev.qis.simulation.world.Domain;
import dev.qis.simulation.world.World;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run reads back from the network between rounds: how many of its packets are stored, whether every
 * accepted packet and every rejection has arrived (never a blind sleep), and who holds the top-k slots.
 */
final class NetworkWatch {
    private final World world;
    private final Population population;
    private final OutcomeNetwork network;
    private final Sent sent;
    private final Duration settleTimeout;
    private final int topK;
    private final LatencyRecorder topKLatency;
    private final RunLog log;
    private final Map<String, Role> roleOfNode = new HashMap<>();
    private final Set<String> domainNames = new HashSet<>();
    /** Packets already stored in the run's domains before it published anything. */
    long baselineStored;

    NetworkWatch(World world, Population population, OutcomeNetwork network, Sent sent, Duration settleTimeout,
                 int topK, LatencyRecorder topKLatency, RunLog log) {
        this.world = world;
        this.population = population;
        this.network = network;
        this.sent = sent;
        this.settleTimeout = settleTimeout;
        this.topK = topK;
        this.topKLatency = topKLatency;
        this.log = log;
        for (SimNode n : population.nodes()) {
            for (NodeIdentity id : n.identities()) {
                roleOfNode.put(id.nodeId(), n.role());
            }
        }
        world.domains().forEach(d -> domainNames.add(d.name()));
    }

    /** Waits until the network stored every accepted packet and rejected every attack sent; never a blind sleep. */
    long settle(int round) {
        long deadline = System.nanoTime() + settleTimeout.toNanos();
        while (true) {
            Set<String> refused = rejectedHashes();
            long expected = baselineStored + sent.ledger.size() - Sent.countMatched(refused, sent.valid);
            long stored = storedInOurDomains();
            long rejected = Sent.countMatched(refused, sent.forged) + Sent.countMatched(refused, sent.tampered);
            long wantRejected = sent.forged.size() + sent.tampered.size();
            if (stored >= expected && rejected >= wantRejected) {
                return stored;
            }
            if (System.nanoTime() > deadline) {
                log.warn("round " + round + ": the stream app did not catch up within " + settleTimeout.toSeconds()
                        + " s: " + stored + " of " + expected + " packets stored, " + rejected + " of "
                        + wantRejected + " attacks rejected; going on");
                return stored;
            }
            try {
                Thread.sleep(EcosystemSimulator.POLL_INTERVAL.toMillis());
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
    int[] measureTopK() {
        int[] counts = new int[8];
        Domain target = population.sybilTarget();
        for (Domain d : world.domains()) {
            if (sent.ledger.inDomain(d.name()).isEmpty()) {
                continue;
            }
            long start = System.nanoTime();
            List<TopEntry> top = network.topK(d.name(), topK);
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

    long storedInOurDomains() {
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
}
