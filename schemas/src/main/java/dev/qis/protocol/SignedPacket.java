package dev.qis.protocol;

import dev.qis.protocol.avro.OutcomePacket;

/** A verified or freshly signed packet together with its wire bytes. */
public record SignedPacket(OutcomePacket packet, byte[] bytes) {
    public String id() {
        return packet.getPacketId();
    }

    public Fingerprint fingerprint() {
        return PacketId.fingerprintOf(packet.getPacketId());
    }

    public String domain() {
        return packet.getContext().getTask();
    }
}
