package dev.qis.topology;

import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.NodeKey;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node-key store from {@code qis.nodes}, where anyone who can write may write. A node id is the hash of
 * its key, so the only registration that can stand under an id is that key's: a registration that does not verify
 * (its id not the hash of its key, or not under its own id), a tombstone, or an undecodable value is ignored, and
 * a node's key once stored is neither replaced nor erased by a later write. (Rotation and revocation are not
 * offered: a node that changes its key is a new node id.)
 */
final class NodeKeyRegistry implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(NodeKeyRegistry.class);
    private final String storeName;
    private final NodeKeyArrivals arrivals;
    private KeyValueStore<String, byte[]> store;

    NodeKeyRegistry(String storeName, NodeKeyArrivals arrivals) {
        this.storeName = storeName;
        this.arrivals = arrivals;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String nodeId = record.key();
        if (nodeId == null || record.value() == null) {
            return; // a tombstone cannot erase a key: an id's only possible key never changes
        }
        if (!(PacketVerifier.verifyNodeKey(record.value()) instanceof Verdict.Accepted<NodeKey> accepted)
                || !accepted.record().getNodeId().equals(nodeId)) {
            LOG.debug("ignored an invalid registration under node id {}", nodeId);
            return;
        }
        if (store.get(nodeId) == null) {
            store.put(nodeId, record.value());
            arrivals.arrived(nodeId); // ingest tasks verify the records held for this node again
        }
    }
}
