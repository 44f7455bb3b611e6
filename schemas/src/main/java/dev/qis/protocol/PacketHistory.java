package dev.qis.protocol;

import java.util.Optional;

/** The content hash of the packet already accepted under an id, if any: how duplicates and collisions are told apart. */
@FunctionalInterface
public interface PacketHistory {
    PacketHistory NONE = id -> Optional.empty();

    Optional<byte[]> contentHash(String packetId);
}
