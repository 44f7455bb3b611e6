package dev.qis.simulation.actors;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.avro.DataScale;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.Domain;
import dev.qis.simulation.world.World;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/** The actors of a run: who is honest, who is Byzantine and how, where each works, with which family. */
public final class Population {
    static final int MIN_EVAL = 100;
    static final int MAX_EVAL = 2000;

    private final List<SimNode> nodes;
    private final Domain sybilTarget;

    private Population(List<SimNode> nodes, Domain sybilTarget) {
        this.nodes = List.copyOf(nodes);
        this.sybilTarget = sybilTarget;
    }

    /**
     * Draws the actors. {@code round(nodes × byzantineShare)} of them are Byzantine: the first is the Sybil actor
     * when {@code sybilKeys > 0}, the rest cycle through inflator, forger and replayer. Home domains follow the
     * Zipf popularity; the Sybil actor moves to the rarest domain that has an honest node (where a flood does the
     * most harm).
     */
    public static Population generate(World world, SimulationConfig config, SplittableRandom rng) {
        SeededIdentities keys = new SeededIdentities(rng.nextLong());
        int byzantine = (int) Math.round(config.nodes() * config.byzantineShare());
        // Which actors are Byzantine: a seeded shuffle of the indices, the first `byzantine` of them.
        int[] order = new int[config.nodes()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        Role[] roles = new Role[config.nodes()];
        java.util.Arrays.fill(roles, Role.HONEST);
        Role[] cycle = {Role.INFLATOR, Role.FORGER, Role.REPLAYER};
        for (int b = 0; b < byzantine; b++) {
            boolean sybil = config.sybilKeys() > 0 && b == 0;
            int slot = config.sybilKeys() > 0 ? b - 1 : b;
            roles[order[b]] = sybil ? Role.SYBIL : cycle[slot % cycle.length];
        }
        List<Domain> homes = new ArrayList<>();
        for (int i = 0; i < config.nodes(); i++) {
            homes.add(world.drawDomain(rng));
        }
        Domain target = null;
        for (int i = 0; i < config.nodes(); i++) {
            if (roles[i] == Role.HONEST && (target == null || homes.get(i).rank() > target.rank())) {
                target = homes.get(i);
            }
        }
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 0; i < config.nodes(); i++) {
            SplittableRandom own = rng.split();
            Role role = roles[i];
            Domain home = role == Role.SYBIL && target != null ? target : homes.get(i);
            String family = world.families().get(own.nextInt(world.families().size()));
            int nEval = (int) Math.round(Math.exp(Math.log(MIN_EVAL) + own.nextDouble() * Math.log((double) MAX_EVAL / MIN_EVAL)));
            DataScale scale = DataScale.values()[1 + own.nextInt(DataScale.values().length - 1)];
            Configuration promoted = role == Role.INFLATOR || role == Role.SYBIL ? world.grid().random(own) : null;
            NodeIdentity identity = keys.next();
            List<NodeIdentity> extra = new ArrayList<>();
            if (role == Role.SYBIL) {
                for (int k = 0; k < config.sybilKeys(); k++) {
                    extra.add(keys.next());
                }
            }
            nodes.add(new SimNode(i, role, identity, home, family, nEval, scale, promoted, extra, own));
        }
        return new Population(nodes, target);
    }

    public List<SimNode> nodes() {
        return nodes;
    }

    public List<SimNode> withRole(Role role) {
        return nodes.stream().filter(n -> n.role() == role).collect(Collectors.toList());
    }

    public List<SimNode> honest() {
        return withRole(Role.HONEST);
    }

    /** The domain the Sybil actor floods, or null when there is none. */
    public Domain sybilTarget() {
        return nodes.stream().anyMatch(n -> n.role() == Role.SYBIL) ? sybilTarget : null;
    }

    /** Every identity that will publish or vote, in actor order: what gets registered on {@code qis.nodes}. */
    public List<NodeIdentity> identities() {
        List<NodeIdentity> all = new ArrayList<>();
        for (SimNode n : nodes) {
            all.addAll(n.identities());
        }
        return all;
    }

    /** Actors per domain name, most popular first. */
    public java.util.Map<String, Integer> nodesPerDomain(World world) {
        java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        world.domains().stream().sorted(Comparator.comparingInt(Domain::rank)).forEach(d -> counts.put(d.name(), 0));
        for (SimNode n : nodes) {
            counts.merge(n.domain().name(), 1, Integer::sum);
        }
        return counts;
    }
}
