package dev.qis.chaos;

import dev.qis.simulation.actors.PacketFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the generator sent, by the SHA-256 of each record's bytes: every honest packet and vote it attempted, every
 * forged or tampered packet, and which of them the cluster acknowledged. The verifier takes the committed input
 * topics as the truth and checks them against this: nothing acknowledged is missing, nothing appears that was never
 * sent. A batch whose commit failed may or may not be in the inputs; both are fine.
 */
final class ChaosLedger {
    /** What kind of record a sent one is. */
    enum Kind { PACKET, VOTE, BAD_PACKET }

    private final Map<String, Kind> attempted = new ConcurrentHashMap<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

    void attempted(Kind kind, byte[] bytes) {
        attempted.put(PacketFactory.sha256(bytes), kind);
    }

    void acknowledged(byte[] bytes) {
        acknowledged.add(PacketFactory.sha256(bytes));
    }

    /** The kind of a record by the hash of its bytes; null when the generator never sent it. */
    Kind kindOf(String sha256) {
        return attempted.get(sha256);
    }

    Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    long acknowledgedOf(Kind kind) {
        return acknowledged.stream().filter(h -> attempted.get(h) == kind).count();
    }
}
