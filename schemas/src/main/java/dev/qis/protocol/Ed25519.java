package dev.qis.protocol;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 (RFC 8032); public keys travel as their raw 32 bytes. Keys are the JDK's ({@code KeyPairGenerator},
 * PKCS#8 and X.509 encodings); signing and verifying run Bouncy Castle's RFC 8032 arithmetic, which is several times
 * faster than the JDK's pure-Java provider (verification is most of the stream app's ingest CPU). Ed25519 is
 * deterministic, so both produce the same signature for the same key and message ({@code Ed25519Test} checks it).
 */
public final class Ed25519 {
    public static final int PUBLIC_KEY_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;
    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519, before the 32 raw key bytes. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Ed25519() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    /** The self-certifying node id: 16 hex of SHA-256 over the raw public key. */
    public static String nodeIdOf(byte[] rawPublicKey) {
        return Digests.sha256Hex(rawPublicKey, 16);
    }

    public static byte[] raw(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded.length != X509_PREFIX.length + PUBLIC_KEY_BYTES
                || !Arrays.equals(encoded, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw ProtocolException.invalid("public_key", "not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
    }

    public static PublicKey publicKey(byte[] raw) {
        if (raw == null || raw.length != PUBLIC_KEY_BYTES) {
            throw ProtocolException.invalid("public_key", "expected 32 raw Ed25519 bytes, got "
                    + (raw == null ? "none" : raw.length));
        }
        byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + PUBLIC_KEY_BYTES);
        System.arraycopy(raw, 0, encoded, X509_PREFIX.length, PUBLIC_KEY_BYTES);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (InvalidKeySpecException e) {
            throw ProtocolException.invalid("public_key", "not a valid Ed25519 point: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        byte[] seed = seedOf(key);
        byte[] signature = new byte[SIGNATURE_BYTES];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /** As {@link #sign(PrivateKey, byte[])}, with the key pair's raw public key given (saves deriving it). */
    public static byte[] sign(PrivateKey key, byte[] rawPublicKey, byte[] message) {
        byte[] seed = seedOf(key);
        byte[] signature = new byte[SIGNATURE_BYTES];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, rawPublicKey, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /** True only for a well-formed 64-byte signature by {@code key} over {@code message}. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        return verify(raw(key), message, signature);
    }

    /** True only for a well-formed 64-byte signature by the raw 32-byte key over {@code message}. */
    public static boolean verify(byte[] rawPublicKey, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_BYTES || rawPublicKey == null
                || rawPublicKey.length != PUBLIC_KEY_BYTES) {
            return false;
        }
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, rawPublicKey, 0, message, 0, message.length);
    }

    /** The JDK's reference implementation, kept for the cross-check test and the benchmark that chose the other. */
    public static boolean verifyWithJdk(PublicKey key, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (SignatureException | InvalidKeyException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    /** The JDK's reference signing, for the cross-check test and the benchmark. */
    public static byte[] signWithJdk(PrivateKey key, byte[] message) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(message);
            return signer.sign();
        } catch (InvalidKeyException e) {
            throw ProtocolException.invalid("key", "not an Ed25519 private key: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    private static byte[] seedOf(PrivateKey key) {
        if (key instanceof java.security.interfaces.EdECPrivateKey ed && ed.getBytes().isPresent()) {
            byte[] seed = ed.getBytes().get();
            if (seed.length == org.bouncycastle.math.ec.rfc8032.Ed25519.SECRET_KEY_SIZE) {
                return seed;
            }
        }
        throw ProtocolException.invalid("key", "not an Ed25519 private key: " + key.getAlgorithm());
    }
}
