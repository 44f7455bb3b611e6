package dev.qis.topology;

import dev.qis.fidelity.Elections;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.store.Breakdowns;
import dev.qis.store.Candidate;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.store.VoteEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Packet state (docs/elections.md), partitioned by fingerprint: applies accepted packets, votes and citations to
 * {@link StoreNames#PACKETS}, then emits the author's tally delta (backed S and F), the packet's candidate entry
 * for its domain, and — on acceptance — the packet for its domain topic.
 *
 * <p>Order independence: a vote or citation for a packet not seen yet is HELD in a pending state under the
 * packet's key and applied when the packet arrives (it is not rejected as UNKNOWN_PACKET, because the outcome and
 * vote topics are separate logs with no order between them). One vote per reporter per packet: the largest
 * (issued_at, report_id) wins. Self-votes are not kept (a vote held before its packet arrived is dropped then).
 * A citation is kept by citing packet id, so a citing packet replayed anywhere counts once.
 *
 * <p>Routing: every accepted packet goes to its domain topic once, when it is accepted, with headers computed from
 * the packet and the reports already held for it — never from the wall clock or another partition's state — so
 * the domain topics are a function of the inputs. How a packet ranks later is the query API's to answer.
 */
final class PacketStateProcessor implements Processor<String, StreamEvent, String, PacketOutput> {
    private final Elections elections;
    private final Breakdowns breakdowns;
    private ProcessorContext<String, PacketOutput> context;
    private KeyValueStore<String, PacketState> packets;

    PacketStateProcessor(Elections elections) {
        this.elections = elections;
        this.breakdowns = new Breakdowns(elections);
    }

    @Override
    public void init(ProcessorContext<String, PacketOutput> context) {
        this.context = context;
        this.packets = context.getStateStore(StoreNames.PACKETS);
    }

    @Override
    public void process(Record<String, StreamEvent> record) {
        StreamEvent event = record.value();
        String key = StoreKeys.packet(event.packetId());
        PacketState before = packets.get(key);
        PacketState state = before == null ? PacketState.pending(event.packetId()) : before;
        PacketState after = switch (event.kind()) {
            case PACKET -> state.isPending() ? accept(state, event) : null;
            case VOTE -> vote(state, event);
            case CITATION -> cite(state, event);
        };
        if (after == null) {
            return; // nothing changed: a replayed packet, a replayed citation, or a vote that does not supersede
        }
        packets.put(key, after);
        if (after.isPending()) {
            return;
        }
        boolean first = before == null || before.isPending();
        Candidate candidate = breakdowns.candidate(after); // counts the backed S and F once
        long[] was = first ? new long[2] : before.backedTally();
        long dPackets = first ? 1 : 0;
        long dS = candidate.successes() - was[0];
        long dF = candidate.failures() - was[1];
        if (dPackets != 0 || dS != 0 || dF != 0) {
            forward(after.facts().nodeId(), new PacketOutput.NodeDelta(dPackets, dS, dF), record.timestamp());
        }
        forward(after.facts().task(), new PacketOutput.CandidateUpdate(candidate, first), record.timestamp());
        if (event.kind() == StreamEvent.Kind.PACKET) {
            route(after, candidate, record.timestamp());
        }
    }

    private PacketState accept(PacketState pending, StreamEvent event) {
        OutcomePacket p = ProtocolCodec.decodePacket(event.packetBytes());
        PacketFacts facts = facts(p);
        TreeMap<String, VoteEntry> votes = new TreeMap<>();
        for (Map.Entry<String, VoteEntry> v : pending.votes().entrySet()) {
            if (!v.getKey().equals(facts.nodeId())) {
                votes.put(v.getKey(), judge(facts, v.getValue()));
            }
        }
        double curate = elections.claimWeight(facts.confidence(), facts.nEvalSamples(), facts.heldOutEval());
        return new PacketState(pending.packetId(), event.packetBytes(), facts, curate, votes, pending.citedBy());
    }

    private PacketState vote(PacketState state, StreamEvent event) {
        if (!state.isPending() && event.reporterId().equals(state.facts().nodeId())) {
            return null; // a node cannot vote on its own packet
        }
        VoteEntry entry = new VoteEntry(event.reportId(), event.issuedAt(), event.observedScore(),
                event.baselineScore(), event.nEvalSamples(), null, null);
        if (!state.isPending()) {
            entry = judge(state.facts(), entry);
        }
        if (!entry.supersedes(state.votes().get(event.reporterId()))) {
            return null;
        }
        TreeMap<String, VoteEntry> votes = new TreeMap<>(state.votes());
        votes.put(event.reporterId(), entry);
        return new PacketState(state.packetId(), state.packetBytes(), state.facts(), state.curate(), votes,
                state.citedBy());
    }

    private PacketState cite(PacketState state, StreamEvent event) {
        if (event.citingNodeId().equals(state.citedBy().get(event.citingPacketId()))) {
            return null; // this citing packet was counted already
        }
        TreeMap<String, String> citedBy = new TreeMap<>(state.citedBy());
        citedBy.put(event.citingPacketId(), event.citingNodeId());
        return new PacketState(state.packetId(), state.packetBytes(), state.facts(), state.curate(), state.votes(),
                citedBy);
    }

    /** The observed gain is taken against the reporter's own baseline, or the packet's when it gave none. */
    private VoteEntry judge(PacketFacts facts, VoteEntry v) {
        double baseline = v.baselineScore() == null ? facts.baselineScore() : v.baselineScore();
        double observed = elections.gain(baseline, v.observedScore(), facts.higherIsBetter());
        return v.judged(observed, elections.reproduces(facts.gain(), observed));
    }

    private PacketFacts facts(OutcomePacket p) {
        Map<String, Object> hyperparams = new TreeMap<>();
        for (Map.Entry<String, Object> h : p.getMethod().getHyperparams().entrySet()) {
            Object v = h.getValue();
            hyperparams.put(h.getKey(), v instanceof CharSequence s ? s.toString() : v);
        }
        List<String> tags = new ArrayList<>();
        p.getContext().getTags().forEach(t -> tags.add(t.toString()));
        List<String> informedBy = new ArrayList<>();
        p.getInformedBy().forEach(t -> informedBy.add(t.toString()));
        double gain = elections.gain(p.getOutcome().getBaselineScore(), p.getOutcome().getOutcomeScore(),
                p.getOutcome().getHigherIsBetter());
        return new PacketFacts(p.getPacketId(), p.getNodeId(), p.getIssuedAt().toEpochMilli(),
                p.getContext().getBaseModelFamily(), p.getContext().getTask(), tags,
                p.getContext().getDataScale().name(), p.getOutcome().getBenchmark(), p.getOutcome().getMetric(),
                p.getOutcome().getBaselineScore(), p.getOutcome().getOutcomeScore(),
                p.getOutcome().getHigherIsBetter(), gain, p.getMethod().getMethodType(), hyperparams,
                p.getValidation().getHeldOutEval(), p.getValidation().getNEvalSamples(),
                p.getValidation().getConfidence(), informedBy);
    }

    /**
     * On acceptance: the packet goes to its domain topic with its elections as they stand from the inputs alone —
     * expected gain, CURATE's claim weight, VOTE — and the timestamp of the record that brought it.
     */
    private void route(PacketState s, Candidate c, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        Map<String, String> values = new LinkedHashMap<>();
        values.put(Topics.HEADER_FIDELITY, plain(c.expectedGain()));
        values.put(Topics.HEADER_CURATE, plain(c.curate()));
        values.put(Topics.HEADER_VOTE, plain(Elections.vote(c.successes(), c.failures())));
        values.put(Topics.HEADER_ROUTED_AT, Long.toString(timestamp));
        values.forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        context.forward(new Record<String, PacketOutput>(s.facts().fingerprint(),
                new PacketOutput.RoutedPacket(s.facts().task(), s.packetBytes()), timestamp, headers));
    }

    /** Headers are plain decimal strings (no exponent), which any client can parse; every value here is finite. */
    private static String plain(double value) {
        return java.math.BigDecimal.valueOf(value).toPlainString();
    }

    private void forward(String key, PacketOutput value, long timestamp) {
        context.forward(new Record<>(key, value, timestamp, new RecordHeaders()));
    }
}
