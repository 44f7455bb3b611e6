package dev.qis.adapters;

import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.avro.OutcomePacket;

/**
 * An unsigned packet and where it came from ("line 3", "results[0] gsm8k accuracy"), so an error can name it.
 */
public record Draft(String source, OutcomePacket packet) {
    /** Signs with {@code node}; an invalid field becomes an {@link AdapterException} naming the source and field. */
    public SignedPacket seal(NodeIdentity node) {
        try {
            return OutcomePacketBuilder.seal(packet, node);
        } catch (ProtocolException e) {
            throw new AdapterException(Reason.INVALID_PACKET, source + ": " + e.getMessage(), e);
        }
    }
}
