package dev.qis.simulation.rounds;

import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.simulation.actors.PacketFactory;
import dev.qis.simulation.network.OutcomeNetwork;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An in-memory network for the simulator's own tests: real verification (so forgeries really fail), and a
 * fidelity-free synthesis: the configuration with the largest sum of positive claimed gains, other families
 * counting half.
 */
public final class FakeNetwork implements OutcomeNetwork {
    final Map<String, PublicKey> keys = new HashMap<>();
    final Map<String, byte[]> history = new HashMap<>();
    final Map<String, List<OutcomePacket>> byDomain = new LinkedHashMap<>();
    final Map<String, OutcomePacket> byId = new HashMap<>();
    final List<byte[]> sent = new ArrayList<>();
    final List<byte[]> rawSent = new ArrayList<>();
    final List<byte[]> published = new ArrayList<>();
    final List<ValidationReport> votes = new ArrayList<>();
    final List<RejectionSeen> rejected = new ArrayList<>();
    /** Keys this network loses, as if its key store lagged: their packets are refused as UNKNOWN_NODE. */
    final Set<String> lostKeys = new java.util.HashSet<>();
    int duplicates;
    /** When set, each answer also offers the second-heaviest configuration as its exploration alternative. */
    boolean offerExploration;
    private final PacketVerifier verifier;

    public FakeNetwork(Clock clock) {
        this.verifier = new PacketVerifier(id -> Optional.ofNullable(keys.get(id)), clock);
    }

    @Override
    public void register(NodeIdentity node) {
        if (!lostKeys.contains(node.nodeId())) {
            keys.put(node.nodeId(), node.publicKey());
        }
    }

    @Override
    public boolean awaitRegistered(List<String> nodeIds) {
        return true;
    }

    @Override
    public void publish(SignedPacket packet) {
        published.add(packet.bytes().clone());
        receive(packet.bytes());
    }

    @Override
    public void publishRaw(Fingerprint key, byte[] bytes) {
        rawSent.add(bytes.clone());
        receive(bytes);
    }

    private void receive(byte[] bytes) {
        sent.add(bytes.clone());
        Verdict<OutcomePacket> v = verifier.verifyPacket(bytes, id -> Optional.ofNullable(history.get(id)));
        if (v instanceof Verdict.Accepted<OutcomePacket> a) {
            OutcomePacket p = a.record();
            history.put(p.getPacketId(), a.contentHash());
            byDomain.computeIfAbsent(p.getContext().getTask(), k -> new ArrayList<>()).add(p);
            byId.put(p.getPacketId(), p);
        } else if (v instanceof Verdict.Duplicate<OutcomePacket>) {
            duplicates++;
        } else if (v instanceof Verdict.Rejected<OutcomePacket> r) {
            rejected.add(new RejectionSeen(r.reason().name(), PacketFactory.sha256(bytes)));
        }
    }

    @Override
    public void vote(SignedReport report) {
        Verdict<ValidationReport> v = verifier.verifyReport(report.bytes());
        if (v instanceof Verdict.Accepted<ValidationReport> a) {
            votes.add(a.record());
        } else if (v instanceof Verdict.Rejected<ValidationReport> r && lostKeys.contains(report.report().getNodeId())) {
            rejected.add(new RejectionSeen(r.reason().name(), PacketFactory.sha256(report.bytes())));
        } else {
            throw new AssertionError("the simulator sent an invalid vote: " + v);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public Optional<Recommendation> synthesize(String domain, String family, List<String> tags) {
        List<OutcomePacket> packets = byDomain.getOrDefault(domain, List.of());
        if (packets.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Double> weight = new LinkedHashMap<>();
        Map<String, List<OutcomePacket>> groups = new LinkedHashMap<>();
        for (OutcomePacket p : packets) {
            String key = p.getMethod().getMethodType() + p.getMethod().getHyperparams();
            double w = Math.max(0, PacketFactory.claimedGain(p))
                    * (p.getContext().getBaseModelFamily().equals(family) ? 1 : 0.5);
            weight.merge(key, w, Double::sum);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }
        List<String> ranked = weight.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).map(Map.Entry::getKey).toList();
        Recommendation answer = answer(groups.get(ranked.get(0)));
        if (!offerExploration || ranked.size() < 2) {
            return Optional.of(answer);
        }
        Recommendation alt = answer(groups.get(ranked.get(1)));
        return Optional.of(new Recommendation(answer.methodType(), answer.hyperparams(), answer.expectedGain(),
                answer.expectedGain() - 0.01, answer.expectedGain() + 0.01, answer.evidenceCount(),
                answer.distinctNodes(), answer.packetIds(), new Exploration(alt.methodType(), alt.hyperparams(),
                        alt.expectedGain(), alt.expectedGain() + 0.05, alt.packetIds())));
    }

    private static Recommendation answer(List<OutcomePacket> chosen) {
        List<String> ids = new ArrayList<>();
        for (int i = chosen.size() - 1; i >= 0 && ids.size() < 8; i--) {
            ids.add(chosen.get(i).getPacketId());
        }
        Set<String> nodes = new LinkedHashSet<>();
        chosen.forEach(p -> nodes.add(p.getNodeId()));
        OutcomePacket first = chosen.get(0);
        Map<String, Object> hp = new LinkedHashMap<>(first.getMethod().getHyperparams());
        double expected = chosen.stream().mapToDouble(PacketFactory::claimedGain).average().orElse(0);
        return new Recommendation(first.getMethod().getMethodType(), hp, expected, chosen.size(), nodes.size(), ids);
    }

    /** Top-k by claimed gain × confidence × the VOTE factor 2(1+S)/(2+S+F), so votes move packets down. */
    @Override
    public List<TopEntry> topK(String domain, int k) {
        List<TopEntry> entries = new ArrayList<>();
        for (OutcomePacket p : byDomain.getOrDefault(domain, List.of())) {
            double s = 0;
            double f = 0;
            for (ValidationReport v : votes) {
                if (v.getPacketId().equals(p.getPacketId()) && !v.getNodeId().equals(p.getNodeId())) {
                    double observed = (v.getObservedScore() - v.getBaselineScore()) / Math.abs(v.getBaselineScore());
                    if (EcosystemSimulator.voteSucceeds(observed, PacketFactory.claimedGain(p))) {
                        s++;
                    } else {
                        f++;
                    }
                }
            }
            double vote = 2 * (1 + s) / (2 + s + f);
            double fidelity = Math.max(0, PacketFactory.claimedGain(p)) * p.getValidation().getConfidence() * vote;
            entries.add(new TopEntry(p.getPacketId(), p.getNodeId(), PacketFactory.claimedGain(p), fidelity, vote, 1));
        }
        entries.sort(Comparator.comparingDouble(TopEntry::fidelity).reversed());
        return entries.subList(0, Math.min(k, entries.size()));
    }

    @Override
    public Map<String, Long> packetsStored() {
        Map<String, Long> stored = new LinkedHashMap<>();
        byDomain.forEach((d, list) -> stored.put(d, (long) list.size()));
        return stored;
    }

    @Override
    public List<RejectionSeen> rejections() {
        return List.copyOf(rejected);
    }

    @Override
    public String describe() {
        return "in-memory test network";
    }

    @Override
    public void close() {
    }
}
