package dev.qis.topology;

import dev.qis.protocol.Ed25519;
import dev.qis.protocol.NodeDirectory;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.NodeKey;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The verifier's node directory over the {@code qis.nodes} global store. A registration is itself verified
 * (node id = hash of the key) before its key is trusted; an invalid one counts as no registration.
 */
final class StoreNodeDirectory implements NodeDirectory {
    private final KeyValueStore<String, byte[]> keys;
    private final Map<String, Cached> cache = new HashMap<>();

    private record Cached(byte[] bytes, Optional<PublicKey> key) { }

    StoreNodeDirectory(KeyValueStore<String, byte[]> keys) {
        this.keys = keys;
    }

    @Override
    public Optional<PublicKey> publicKey(String nodeId) {
        byte[] bytes = keys.get(nodeId);
        if (bytes == null) {
            return Optional.empty();
        }
        Cached hit = cache.get(nodeId);
        if (hit != null && Arrays.equals(hit.bytes, bytes)) {
            return hit.key;
        }
        Optional<PublicKey> key = Optional.empty();
        if (PacketVerifier.verifyNodeKey(bytes) instanceof Verdict.Accepted<NodeKey> accepted
                && accepted.record().getNodeId().equals(nodeId)) {
            ByteBuffer raw = accepted.record().getPublicKey().duplicate();
            byte[] rawBytes = new byte[raw.remaining()];
            raw.get(rawBytes);
            key = Optional.of(Ed25519.publicKey(rawBytes));
        }
        if (cache.size() > 100_000) {
            cache.clear();
        }
        cache.put(nodeId, new Cached(bytes, key));
        return key;
    }
}
