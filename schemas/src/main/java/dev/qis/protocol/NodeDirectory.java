package dev.qis.protocol;

import java.security.PublicKey;
import java.util.Optional;

/** Where the verifier looks up a node's registered public key. */
@FunctionalInterface
public interface NodeDirectory {
    Optional<PublicKey> publicKey(String nodeId);
}
