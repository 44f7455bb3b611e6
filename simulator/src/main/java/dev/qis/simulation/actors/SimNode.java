package dev.qis.simulation.actors;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.avro.DataScale;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.Domain;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One actor: its role, identity, home domain, model family and eval-set size, and its own random stream.
 * A Sybil actor also holds its extra identities; an inflator or Sybil the configuration it promotes.
 */
public final class SimNode {
    private final int index;
    private final Role role;
    private final NodeIdentity identity;
    private final Domain domain;
    private final String family;
    private final int nEval;
    private final DataScale dataScale;
    private final Configuration promoted;
    private final List<NodeIdentity> sybilKeys;
    private final SplittableRandom rng;

    SimNode(int index, Role role, NodeIdentity identity, Domain domain, String family, int nEval, DataScale dataScale,
            Configuration promoted, List<NodeIdentity> sybilKeys, SplittableRandom rng) {
        this.index = index;
        this.role = role;
        this.identity = identity;
        this.domain = domain;
        this.family = family;
        this.nEval = nEval;
        this.dataScale = dataScale;
        this.promoted = promoted;
        this.sybilKeys = List.copyOf(sybilKeys);
        this.rng = rng;
    }

    public int index() { return index; }
    public Role role() { return role; }
    public NodeIdentity identity() { return identity; }
    public Domain domain() { return domain; }
    public String family() { return family; }
    public int nEval() { return nEval; }
    public DataScale dataScale() { return dataScale; }
    /** The configuration an inflator or Sybil pushes; null for other roles. */
    public Configuration promoted() { return promoted; }
    public List<NodeIdentity> sybilKeys() { return sybilKeys; }
    public SplittableRandom rng() { return rng; }

    /** Every identity this actor registers. */
    public List<NodeIdentity> identities() {
        if (sybilKeys.isEmpty()) {
            return List.of(identity);
        }
        var all = new java.util.ArrayList<NodeIdentity>(sybilKeys.size() + 1);
        all.add(identity);
        all.addAll(sybilKeys);
        return all;
    }
}
