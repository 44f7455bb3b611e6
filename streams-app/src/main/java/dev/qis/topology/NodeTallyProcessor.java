package dev.qis.topology;

import dev.qis.store.NodeTally;
import dev.qis.store.StoreNames;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Node tallies (design §5.3), partitioned by node id: sums the deltas of a node's packets into
 * {@link StoreNames#NODE_TALLIES} and forwards each new tally to the node-trust topic, which every instance reads
 * back as the {@link StoreNames#NODE_TRUST} global store.
 */
final class NodeTallyProcessor implements Processor<String, PacketOutput.NodeDelta, String, NodeTally> {
    private ProcessorContext<String, NodeTally> context;
    private KeyValueStore<String, NodeTally> tallies;

    @Override
    public void init(ProcessorContext<String, NodeTally> context) {
        this.context = context;
        this.tallies = context.getStateStore(StoreNames.NODE_TALLIES);
    }

    @Override
    public void process(Record<String, PacketOutput.NodeDelta> record) {
        NodeTally old = tallies.get(record.key());
        PacketOutput.NodeDelta d = record.value();
        NodeTally tally = (old == null ? NodeTally.empty(record.key()) : old).plus(d.packets(), d.successes(), d.failures());
        tallies.put(record.key(), tally);
        context.forward(record.withValue(tally));
    }
}
