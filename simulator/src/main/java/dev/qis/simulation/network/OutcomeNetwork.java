package dev.qis.simulation.network;

import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the simulator needs from the outcome-routing network: register keys, publish packets and votes, ask for
 * a synthesis or a top-k, and read what was stored and what was rejected. One implementation runs over Kafka and
 * the REST API; tests use an in-memory one.
 */
public interface OutcomeNetwork extends AutoCloseable {

    /** Registers a node's public key (a {@code NodeKey} on {@code qis.nodes}). */
    void register(NodeIdentity node);

    /**
     * Returns once the network knows these nodes' keys (so their packets are not refused as UNKNOWN_NODE), or
     * false when it could not tell within its timeout.
     */
    boolean awaitRegistered(List<String> nodeIds);

    /** Publishes a signed packet, keyed by its fingerprint. */
    void publish(SignedPacket packet);

    /** Publishes arbitrary bytes as a packet for a fingerprint: how forged and tampered packets are sent. */
    void publishRaw(Fingerprint key, byte[] bytes);

    /** Publishes a VOTE, keyed by the fingerprint of the voted packet. */
    void vote(SignedReport report);

    /** Blocks until everything published so far is acknowledged; throws when a send failed. */
    void flush();

    /** The synthesized recommendation for a context, or empty when the network has no evidence (404). */
    Optional<Recommendation> synthesize(String domain, String family, List<String> tags);

    /** The top-k routed packets of a domain, best first. */
    List<TopEntry> topK(String domain, int k);

    /** Packets stored per domain, for the domains the network has seen. */
    Map<String, Long> packetsStored();

    /** Every rejection the network has recorded so far. */
    List<RejectionSeen> rejections();

    /** Where the network is, for the report (e.g. the bootstrap servers and the API URL). */
    String describe();

    @Override
    void close();

    /**
     * A synthesis answer: a configuration, its expected gain with a 95 % interval, the packets it rests on
     * (heaviest evidence first) and, when the network offers one, an exploration alternative.
     */
    record Recommendation(String methodType, Map<String, Object> hyperparams, double expectedGain,
            double expectedGainLow, double expectedGainHigh, int evidenceCount, int distinctNodes,
            List<String> packetIds, Exploration exploration) {
        public Recommendation {
            hyperparams = Map.copyOf(hyperparams);
            packetIds = List.copyOf(packetIds);
        }

        /** An answer without an interval or an alternative (the interval collapses onto the estimate). */
        public Recommendation(String methodType, Map<String, Object> hyperparams, double expectedGain,
                int evidenceCount, int distinctNodes, List<String> packetIds) {
            this(methodType, hyperparams, expectedGain, expectedGain, expectedGain, evidenceCount, distinctNodes,
                    packetIds, null);
        }

        public Optional<Exploration> explorationAlternative() {
            return Optional.ofNullable(exploration);
        }
    }

    /** The configuration the network suggests trying instead: its estimate, upper bound and packets. */
    record Exploration(String methodType, Map<String, Object> hyperparams, double expectedGain, double upperBound,
            List<String> packetIds) {
        public Exploration {
            hyperparams = Map.copyOf(hyperparams);
            packetIds = List.copyOf(packetIds);
        }
    }

    /** One top-k entry: whose packet it is and how the elections scored it. */
    record TopEntry(String packetId, String nodeId, double gain, double fidelity, double vote, double trust) {
    }

    /** A rejection: its reason code and the SHA-256 of the original value, to match it with what was sent. */
    record RejectionSeen(String reason, String valueSha256) {
    }
}
