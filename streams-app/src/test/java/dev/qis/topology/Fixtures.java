package dev.qis.topology;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.testing.Packets;
import java.time.Instant;

/** The topology tests' names for the shared packet fixture ({@link Packets}), and the instant they run at. */
final class Fixtures {
    static final Instant NOW = Instant.parse("2026-11-20T00:00:00Z");
    static final Instant ISSUED = Packets.ISSUED;

    private Fixtures() {
    }

    static byte[] nodeKey(NodeIdentity node) {
        return Packets.nodeKey(node);
    }

    static OutcomePacketBuilder packet(String task, double baseline, double outcome) {
        return Packets.packet(task, baseline, outcome);
    }

    static SignedPacket typical(NodeIdentity node) {
        return Packets.typical(node);
    }

    static SignedReport report(String packetId, double observed, Instant at, NodeIdentity reporter) {
        return Packets.vote(packetId, observed, at, reporter);
    }
}
