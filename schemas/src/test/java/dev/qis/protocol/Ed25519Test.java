package dev.qis.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ed25519Test {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 8032 section 7.1, test 2 (one-byte message). */
    @Test
    void signsAndVerifiesTheRfc8032Vector() throws Exception {
        PrivateKey key = privateKey(HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        byte[] pub = HEX.parseHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        byte[] message = HEX.parseHex("72");
        byte[] expected = HEX.parseHex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
        assertArrayEquals(expected, Ed25519.sign(key, message));
        assertArrayEquals(expected, Ed25519.sign(key, pub, message));
        assertTrue(Ed25519.verify(pub, message, expected));
        assertTrue(Ed25519.verify(Ed25519.publicKey(pub), message, expected));
    }

    /** The fast implementation agrees with the JDK's on signatures and on every verdict. */
    @Test
    void agreesWithTheJdkOnRandomKeysAndMessages() {
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            KeyPair pair = Ed25519.generate();
            byte[] message = new byte[random.nextInt(600)];
            random.nextBytes(message);
            byte[] signature = Ed25519.sign(pair.getPrivate(), message);
            assertArrayEquals(Ed25519.signWithJdk(pair.getPrivate(), message), signature, "deterministic, same bytes");
            assertTrue(Ed25519.verify(pair.getPublic(), message, signature));

            byte[] tampered = signature.clone();
            tampered[random.nextInt(tampered.length)] ^= (byte) (1 << random.nextInt(8));
            assertEquals(Ed25519.verifyWithJdk(pair.getPublic(), message, tampered),
                    Ed25519.verify(pair.getPublic(), message, tampered));
            assertFalse(Ed25519.verify(pair.getPublic(), message, tampered));
            if (message.length > 0) {
                byte[] other = message.clone();
                other[random.nextInt(other.length)] ^= 1;
                assertFalse(Ed25519.verify(pair.getPublic(), other, signature));
            }
            assertFalse(Ed25519.verify(Ed25519.generate().getPublic(), message, signature), "another key");
        }
    }

    @Test
    void malformedInputsAreFalseNotErrors() {
        KeyPair pair = Ed25519.generate();
        byte[] raw = Ed25519.raw(pair.getPublic());
        assertFalse(Ed25519.verify(raw, new byte[1], null));
        assertFalse(Ed25519.verify(raw, new byte[1], new byte[63]));
        assertFalse(Ed25519.verify(new byte[31], new byte[1], new byte[64]));
        byte[] allOnes = new byte[64];
        java.util.Arrays.fill(allOnes, (byte) 0xff);
        assertFalse(Ed25519.verify(raw, new byte[1], allOnes), "S out of range");
    }

    private static PrivateKey privateKey(byte[] seed) throws Exception {
        byte[] prefix = HEX.parseHex("302e020100300506032b657004220420");
        byte[] encoded = new byte[prefix.length + seed.length];
        System.arraycopy(prefix, 0, encoded, 0, prefix.length);
        System.arraycopy(seed, 0, encoded, prefix.length, seed.length);
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(encoded));
    }
}
