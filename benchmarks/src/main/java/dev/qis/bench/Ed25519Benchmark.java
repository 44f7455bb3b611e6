package dev.qis.bench;

import dev.qis.protocol.Ed25519;
import java.security.KeyPair;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two Ed25519 implementations side by side on a 300-byte message, the size of a typical signed packet: the
 * JDK's provider and Bouncy Castle's RFC 8032 code, which {@link Ed25519} uses.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Ed25519Benchmark {
    private KeyPair pair;
    private byte[] rawPublicKey;
    private byte[] message;
    private byte[] signature;

    @Setup
    public void setUp() {
        pair = Ed25519.generate();
        rawPublicKey = Ed25519.raw(pair.getPublic());
        message = new byte[300];
        new Random(1).nextBytes(message);
        signature = Ed25519.sign(pair.getPrivate(), message);
    }

    @Benchmark
    public boolean verifyJdk() {
        return Ed25519.verifyWithJdk(pair.getPublic(), message, signature);
    }

    @Benchmark
    public boolean verifyBouncyCastle() {
        return Ed25519.verify(rawPublicKey, message, signature);
    }

    @Benchmark
    public byte[] signJdk() {
        return Ed25519.signWithJdk(pair.getPrivate(), message);
    }

    @Benchmark
    public byte[] signBouncyCastle() {
        return Ed25519.sign(pair.getPrivate(), rawPublicKey, message);
    }
}
