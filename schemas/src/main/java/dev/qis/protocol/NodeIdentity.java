package dev.qis.protocol;

import dev.qis.protocol.avro.NodeKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node: its Ed25519 key pair and the node id derived from the public key. Key files hold a PKCS#8
 * {@code PRIVATE KEY} and an X.509 {@code PUBLIC KEY} PEM block.
 */
public final class NodeIdentity {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final byte[] rawPublicKey;
    private final String nodeId;

    public NodeIdentity(KeyPair keys) {
        this.privateKey = keys.getPrivate();
        this.publicKey = keys.getPublic();
        this.rawPublicKey = Ed25519.raw(publicKey);
        this.nodeId = Ed25519.nodeIdOf(rawPublicKey);
    }

    public static NodeIdentity generate() {
        return new NodeIdentity(Ed25519.generate());
    }

    public String nodeId() {
        return nodeId;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public byte[] rawPublicKey() {
        return rawPublicKey.clone();
    }

    public byte[] sign(byte[] message) {
        return Ed25519.sign(privateKey, rawPublicKey, message);
    }

    /** The record that registers this node's key on {@code qis.nodes}. */
    public NodeKey nodeKey(Instant registeredAt) {
        return NodeKey.newBuilder()
                .setNodeId(nodeId)
                .setPublicKey(java.nio.ByteBuffer.wrap(rawPublicKey.clone()))
                .setRegisteredAt(registeredAt)
                .build();
    }

    /** Both PEM blocks: what {@link #read(Path)} reads back. */
    public String toPem() {
        return pem("PRIVATE KEY", privateKey.getEncoded()) + pem("PUBLIC KEY", publicKey.getEncoded());
    }

    public String publicKeyPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    /** Writes the key pair to {@code file} (mode 600 where the file system has POSIX modes); never overwrites. */
    public void write(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(file.toString(), null, "refusing to overwrite a key file");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, toPem(), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Reads a key file written by {@link #write(Path)}; a clear {@link ProtocolException} names what is wrong. */
    public static NodeIdentity read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    public static NodeIdentity parse(String text, String source) {
        byte[] privateDer = null;
        byte[] publicDer = null;
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw ProtocolException.invalid("key", source + ": bad base64 in " + m.group(1) + " block");
            }
            switch (m.group(1)) {
                case "PRIVATE KEY" -> privateDer = der;
                case "PUBLIC KEY" -> publicDer = der;
                default -> { }
            }
        }
        if (privateDer == null || publicDer == null) {
            throw ProtocolException.invalid("key", source + ": expected a PRIVATE KEY and a PUBLIC KEY PEM block"
                    + " (write one with 'qis keygen')");
        }
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            PrivateKey priv = factory.generatePrivate(new PKCS8EncodedKeySpec(privateDer));
            PublicKey pub = factory.generatePublic(new X509EncodedKeySpec(publicDer));
            NodeIdentity identity = new NodeIdentity(new KeyPair(pub, priv));
            byte[] probe = "qis-key-check".getBytes(StandardCharsets.US_ASCII);
            if (!Ed25519.verify(pub, probe, identity.sign(probe))) {
                throw ProtocolException.invalid("key", source + ": the public key does not match the private key");
            }
            return identity;
        } catch (GeneralSecurityException e) {
            throw ProtocolException.invalid("key", source + ": not an Ed25519 key pair: " + e.getMessage());
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
