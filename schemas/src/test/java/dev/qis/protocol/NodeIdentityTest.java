package dev.qis.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
    @TempDir
    Path dir;

    @Test
    void nodeIdIsTheHashOfThePublicKey() {
        NodeIdentity node = NodeIdentity.generate();
        assertEquals(Digests.sha256Hex(node.rawPublicKey(), 16), node.nodeId());
        assertArrayEquals(node.rawPublicKey(), Ed25519.raw(Ed25519.publicKey(node.rawPublicKey())));
    }

    @Test
    void keyFileRoundTripWithOwnerOnlyMode() throws Exception {
        NodeIdentity node = NodeIdentity.generate();
        Path file = dir.resolve("node.key");
        node.write(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        NodeIdentity read = NodeIdentity.read(file);
        assertEquals(node.nodeId(), read.nodeId());
        byte[] msg = {1, 2, 3};
        assertTrue(Ed25519.verify(node.publicKey(), msg, read.sign(msg)));
        assertThrows(FileAlreadyExistsException.class, () -> node.write(file));
    }

    @Test
    void unreadableKeyFilesSayWhy() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> NodeIdentity.parse("hello", "k.pem"));
        assertTrue(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
        String mismatched = NodeIdentity.generate().toPem().split("-----BEGIN PUBLIC KEY-----")[0]
                + NodeIdentity.generate().publicKeyPem();
        ProtocolException m = assertThrows(ProtocolException.class, () -> NodeIdentity.parse(mismatched, "k.pem"));
        assertTrue(m.getMessage().contains("does not match"), m.getMessage());
    }
}
