package dev.qis.simulation.rounds;

import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.simulation.network.OutcomeNetwork;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A network that passes every call to another: tests override the calls they watch. */
class ForwardingNetwork implements OutcomeNetwork {
    private final OutcomeNetwork to;

    ForwardingNetwork(OutcomeNetwork to) {
        this.to = to;
    }

    @Override
    public void register(NodeIdentity node) {
        to.register(node);
    }

    @Override
    public boolean awaitRegistered(List<String> nodeIds) {
        return to.awaitRegistered(nodeIds);
    }

    @Override
    public void publish(SignedPacket packet) {
        to.publish(packet);
    }

    @Override
    public void publishRaw(Fingerprint key, byte[] bytes) {
        to.publishRaw(key, bytes);
    }

    @Override
    public void vote(SignedReport report) {
        to.vote(report);
    }

    @Override
    public void flush() {
        to.flush();
    }

    @Override
    public Optional<Recommendation> synthesize(String domain, String family, List<String> tags) {
        return to.synthesize(domain, family, tags);
    }

    @Override
    public List<TopEntry> topK(String domain, int k) {
        return to.topK(domain, k);
    }

    @Override
    public Map<String, Long> packetsStored() {
        return to.packetsStored();
    }

    @Override
    public List<RejectionSeen> rejections() {
        return to.rejections();
    }

    @Override
    public String describe() {
        return to.describe();
    }

    @Override
    public void close() {
        to.close();
    }
}
