package dev.qis.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Value of {@link StoreNames#PACKETS}: one packet, its reports and the packets that cite it.
 *
 * @param packetId    the packet id
 * @param packetBytes the original signed bytes; null while pending (reports or citations came first)
 * @param facts       decoded facts; null while pending
 * @param curate      CURATE: the claim's weight (0 while pending); time- and trust-free
 * @param votes       reporter node id → its latest report; self-votes are never kept
 * @param citedBy     citing packet id → its author: each citing packet counts once, however often it is replayed
 */
public record PacketState(String packetId, byte[] packetBytes, PacketFacts facts, double curate,
                          TreeMap<String, VoteEntry> votes, TreeMap<String, String> citedBy) {

    public static PacketState pending(String packetId) {
        return new PacketState(packetId, null, null, 0.0, new TreeMap<>(), new TreeMap<>());
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isPending() {
        return facts == null;
    }

    /** Citations by packets of OTHER nodes: a node cannot raise its own packet. */
    public long citations() {
        long n = 0;
        for (Map.Entry<String, String> e : citedBy.entrySet()) {
            if (facts == null || !e.getValue().equals(facts.nodeId())) {
                n++;
            }
        }
        return n;
    }

    /** Nodes that published a run citing this packet: their reports are backed. */
    public TreeSet<String> citingNodes() {
        return new TreeSet<>(citedBy.values());
    }

    /** Backed reproductions (S): reports that reproduce the claim from nodes whose own run cites the packet. */
    public long successes() {
        return backedTally()[0];
    }

    /** Backed refutations (F). */
    public long failures() {
        return backedTally()[1];
    }

    /** {S, F} in one pass over the reports. */
    public long[] backedTally() {
        TreeSet<String> backers = citingNodes();
        long[] sf = new long[2];
        for (Map.Entry<String, VoteEntry> v : votes.entrySet()) {
            if (backers.contains(v.getKey()) && v.getValue().reproduced() != null) {
                sf[v.getValue().reproduced() ? 0 : 1]++;
            }
        }
        return sf;
    }
}
