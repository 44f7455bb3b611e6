package dev.qis.simulation.actors;

import dev.qis.protocol.NodeIdentity;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;

/**
 * Ed25519 identities drawn from a seeded generator, so a seed names the same node ids every run. For simulation
 * only: a real node's key must come from a real entropy source.
 */
final class SeededIdentities {
    private final KeyPairGenerator generator;

    SeededIdentities(long seed) {
        try {
            // SHA1PRNG is deterministic when seeded before its first use; the default source is not.
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
            generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519 or SHA1PRNG", e);
        }
    }

    NodeIdentity next() {
        return new NodeIdentity(generator.generateKeyPair());
    }
}
