package dev.qis.simulation.rounds;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.simulation.actors.PacketFactory;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.actors.Role;
import dev.qis.simulation.actors.SimNode;
import dev.qis.simulation.network.OutcomeNetwork;
import dev.qis.simulation.report.Ledger;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.World;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the Byzantine actors do each round: inflators claim more than their configuration gives; a Sybil actor's
 * keys each publish an inflated claim and vouch for another key's packet of the round before; forgers publish
 * under an honest node's id with their own signature; replayers send stored packets again, exactly and tampered.
 */
final class Adversaries {
    /** What an inflator adds to the gain its configuration really gives. */
    static final double INFLATION_MIN = 0.20;
    static final double INFLATION_MAX = 0.35;
    static final int INFLATED_EVAL = 5000;
    static final double INFLATED_CONFIDENCE = 0.99;

    private final World world;
    private final Population population;
    private final OutcomeNetwork network;
    private final PacketFactory packets;
    private final Sent sent;
    private List<SignedPacket> sybilPrevious = List.of();
    private List<SignedPacket> sybilThisRound = new ArrayList<>();
    long sybilVouches;

    Adversaries(World world, Population population, OutcomeNetwork network, PacketFactory packets, Sent sent) {
        this.world = world;
        this.population = population;
        this.network = network;
        this.packets = packets;
        this.sent = sent;
    }

    /** The turn of a Byzantine actor in {@code round}. */
    void play(SimNode node, int round) {
        switch (node.role()) {
            case INFLATOR -> publishInflated(node, round);
            case SYBIL -> sybilThisRound.addAll(publishSybil(node, round));
            case FORGER -> publishForged(node);
            case REPLAYER -> publishReplays(node, round);
            case HONEST -> throw new IllegalArgumentException("node " + node.index() + " is honest");
        }
    }

    /** Ends the round: the Sybil packets of this round are the ones the keys vouch for in the next. */
    void endRound() {
        sybilPrevious = sybilThisRound;
        sybilThisRound = new ArrayList<>();
    }

    private SignedPacket inflated(SimNode node, NodeIdentity signer, SplittableRandom rng) {
        Configuration c = node.promoted();
        double claim = node.domain().effects().gain(node.family(), c) + INFLATION_MIN
                + rng.nextDouble() * (INFLATION_MAX - INFLATION_MIN);
        return packets.outcome(signer, node.domain(), node.family(), node, c, claim, INFLATED_EVAL,
                INFLATED_CONFIDENCE, List.of());
    }

    private void publishInflated(SimNode node, int round) {
        SignedPacket p = inflated(node, node.identity(), node.rng());
        network.publish(p);
        sent.record(new Ledger.Entry(p, node.index(), node.role(), node.domain(), node.family(), node.promoted(),
                PacketFactory.claimedGain(p.packet()), round));
    }

    private List<SignedPacket> publishSybil(SimNode node, int round) {
        List<SignedPacket> published = new ArrayList<>();
        for (NodeIdentity key : node.sybilKeys()) {
            SignedPacket p = inflated(node, key, node.rng());
            network.publish(p);
            sent.record(new Ledger.Entry(p, node.index(), Role.SYBIL, node.domain(), node.family(),
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
        double claim = node.domain().effects().gain(node.family(), c) + INFLATION_MIN
                + node.rng().nextDouble() * (INFLATION_MAX - INFLATION_MIN);
        SignedPacket own = packets.outcome(node.identity(), node.domain(), node.family(), node, c, claim,
                INFLATED_EVAL, INFLATED_CONFIDENCE, List.of());
        byte[] forged = PacketFactory.forge(own, victim.identity().nodeId(), node.identity());
        network.publishRaw(own.fingerprint(), forged);
        sent.forged.add(PacketFactory.sha256(forged));
    }

    private void publishReplays(SimNode node, int round) {
        List<Ledger.Entry> local = sent.ledger.inDomain(node.domain().name());
        List<Ledger.Entry> pool = local.isEmpty() ? new ArrayList<>(sent.ledger.all()) : local;
        if (pool.isEmpty()) {
            return;
        }
        Ledger.Entry target = pool.get(node.rng().nextInt(pool.size()));
        SignedPacket original = target.packet();
        network.publishRaw(original.fingerprint(), original.bytes().clone());
        sent.exactReplayCount++;
        sent.exactReplays.add(PacketFactory.sha256(original.bytes()));
        double boost = INFLATION_MIN + node.rng().nextDouble() * (INFLATION_MAX - INFLATION_MIN);
        byte[] tampered = PacketFactory.tamper(original, boost, round % 2 == 0);
        network.publishRaw(original.fingerprint(), tampered);
        sent.tampered.add(PacketFactory.sha256(tampered));
    }
}
