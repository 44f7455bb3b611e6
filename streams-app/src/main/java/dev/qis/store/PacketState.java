package dev.qis.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * Value of {@link StoreNames#PACKETS}: one packet, its reports and its citations.
 *
 * @param packetId       the packet id
 * @param packetBytes    the original signed bytes; null while pending (reports or citations came first)
 * @param facts          decoded facts; null while pending
 * @param curate         CURATE at the current citation count (0 while pending); time- and trust-free
 * @param votes          reporter node id → its latest report; self-votes are never kept
 * @param citationsByNode citing node id → number of its packets citing this one (all nodes, the author's too;
 *                       {@link #citations()} counts only the other nodes)
 */
public record PacketState(String packetId, byte[] packetBytes, PacketFacts facts, double curate,
                          TreeMap<String, VoteEntry> votes, TreeMap<String, Long> citationsByNode) {

    public static PacketState pending(String packetId) {
        return new PacketState(packetId, null, null, 0.0, new TreeMap<>(), new TreeMap<>());
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isPending() {
        return facts == null;
    }

    /** Citations by packets of OTHER nodes: a node cannot raise its own packet's curate. */
    public long citations() {
        long n = 0;
        for (Map.Entry<String, Long> e : citationsByNode.entrySet()) {
            if (facts == null || !e.getKey().equals(facts.nodeId())) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** Unweighted reproductions (S) among the kept reports. */
    public long successes() {
        return votes.values().stream().filter(v -> Boolean.TRUE.equals(v.reproduced())).count();
    }

    /** Unweighted refutations (F) among the kept reports. */
    public long failures() {
        return votes.values().stream().filter(v -> Boolean.FALSE.equals(v.reproduced())).count();
    }
}
