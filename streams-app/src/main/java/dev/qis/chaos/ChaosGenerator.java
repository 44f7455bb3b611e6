package dev.qis.chaos;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.protocol.avro.DataScale;
import dev.qis.publish.PublishException;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import dev.qis.simulation.actors.PacketFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Publishes a known stream, batch by batch, each batch one transaction of {@link QisPublisher}: signed packets from
 * several nodes, some citing earlier packets of other nodes; votes from voters that are not publishers, some voting
 * again on the same packet (only the latest counts), a few self-votes (never counted); and now and then a forged
 * packet (a victim's node id, signed with another key) or a tampered one (a raised score under the old id or a new
 * one). A batch that fails (a broker or coordinator lost mid-transaction) is sent again whole on a new publisher.
 */
final class ChaosGenerator {
    static final List<String> TASKS = List.of("chaos-alpha", "chaos-beta", "chaos-gamma");
    static final String FAMILY = "chaos-model";
    private static final List<String> TAGS = List.of("t0", "t1", "t2", "t3");
    private static final int BATCH = 20;
    private static final int ATTEMPTS = 10;

    private final PublisherSettings settings;
    private final ChaosLedger ledger;
    private final Random random;
    private final List<NodeIdentity> publishers = new ArrayList<>();
    private final List<NodeIdentity> voters = new ArrayList<>();
    private final List<SignedPacket> published = new ArrayList<>();
    private final Consumer<String> progress;
    private int packets;
    private int votes;
    private int bad;

    ChaosGenerator(PublisherSettings settings, ChaosLedger ledger, long seed, int publisherNodes, int voterNodes,
                   Consumer<String> progress) {
        this.settings = settings;
        this.ledger = ledger;
        this.random = new Random(seed);
        this.progress = progress;
        for (int i = 0; i < publisherNodes; i++) {
            publishers.add(NodeIdentity.generate());
        }
        for (int i = 0; i < voterNodes; i++) {
            voters.add(NodeIdentity.generate());
        }
    }

    /**
     * Publishes at least {@code minPackets} packets, and goes on until {@code keepGoing} turns false, a batch every
     * {@code pause}.
     */
    void run(int minPackets, BooleanSupplier keepGoing, Duration pause) throws InterruptedException {
        QisPublisher publisher = open();
        try {
            List<NodeIdentity> everyone = new ArrayList<>(publishers);
            everyone.addAll(voters);
            publisher = withRetries(publisher, p -> p.register(everyone), "registering the nodes");
            while (packets < minPackets || keepGoing.getAsBoolean()) {
                Batch batch = nextBatch();
                publisher = withRetries(publisher, p -> {
                    p.publish(batch.packets);
                    if (!batch.votes.isEmpty()) {
                        p.publishVotes(batch.votes);
                    }
                    if (!batch.bad.isEmpty()) {
                        p.publishUnverified(batch.bad);
                    }
                }, "batch " + (packets / BATCH + 1));
                batch.packets.forEach(p -> ledger.acknowledged(p.bytes()));
                batch.votes.forEach(v -> ledger.acknowledged(v.bytes()));
                batch.bad.forEach(b -> ledger.acknowledged(b.bytes()));
                published.addAll(batch.packets);
                packets += batch.packets.size();
                votes += batch.votes.size();
                bad += batch.bad.size();
                if ((packets / BATCH) % 10 == 0) {
                    progress.accept("published " + packets + " packets, " + votes + " votes, " + bad
                            + " forged or tampered");
                }
                Thread.sleep(pause.toMillis());
            }
        } finally {
            publisher.close();
        }
        progress.accept("published " + packets + " packets, " + votes + " votes, " + bad + " forged or tampered"
                + " (done)");
    }

    private interface Send {
        void apply(QisPublisher publisher);
    }

    /**
     * Runs {@code send}; after a failure, opens a new publisher and sends again. Each call is one or more
     * transactions of whole records, so a retry after an unknown outcome at worst repeats identical bytes, which the
     * app drops as duplicates.
     */
    private QisPublisher withRetries(QisPublisher publisher, Send send, String what) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                send.apply(publisher);
                return publisher;
            } catch (PublishException e) {
                if (attempt == ATTEMPTS) {
                    throw new IllegalStateException(what + " failed " + ATTEMPTS + " times, last: " + e.getMessage(), e);
                }
                progress.accept(what + " failed (" + e.getMessage() + "); sending it again");
                publisher.close();
                Thread.sleep(1000);
                publisher = open();
            }
        }
    }

    private QisPublisher open() throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return QisPublisher.open(settings);
            } catch (PublishException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    private record Batch(List<SignedPacket> packets, List<SignedReport> votes, List<SignedPacket> bad) {
    }

    private Batch nextBatch() {
        List<SignedPacket> batchPackets = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            NodeIdentity signer = publishers.get(random.nextInt(publishers.size()));
            SignedPacket p = packet(signer, citations(signer));
            ledger.attempted(ChaosLedger.Kind.PACKET, p.bytes());
            batchPackets.add(p);
        }
        List<SignedReport> batchVotes = new ArrayList<>();
        List<SignedPacket> batchBad = new ArrayList<>();
        if (!published.isEmpty()) {
            for (int i = 0; i < BATCH / 2; i++) {
                SignedPacket target = published.get(random.nextInt(published.size()));
                // a few voters over many packets: voters meet the same packet again, and the later vote wins
                NodeIdentity voter = i == 0 && random.nextInt(4) == 0 ? publisherOf(target)
                        : voters.get(random.nextInt(voters.size()));
                SignedReport vote = vote(voter, target);
                ledger.attempted(ChaosLedger.Kind.VOTE, vote.bytes());
                batchVotes.add(vote);
            }
            SignedPacket victim = published.get(random.nextInt(published.size()));
            byte[] badBytes = switch (random.nextInt(3)) {
                case 0 -> PacketFactory.forge(victim, victim.packet().getNodeId(), anotherThan(publisherOf(victim)));
                case 1 -> PacketFactory.tamper(victim, 0.5, true);
                default -> PacketFactory.tamper(victim, 0.5, false);
            };
            ledger.attempted(ChaosLedger.Kind.BAD_PACKET, badBytes);
            batchBad.add(new SignedPacket(ProtocolCodec.decodePacket(badBytes), badBytes));
        }
        return new Batch(batchPackets, batchVotes, batchBad);
    }

    /** A forger must not hold the victim's key, or its forgery would be a valid packet. */
    private NodeIdentity anotherThan(NodeIdentity victim) {
        List<NodeIdentity> others = new ArrayList<>(publishers);
        others.addAll(voters);
        others.remove(victim);
        return others.get(random.nextInt(others.size()));
    }

    private NodeIdentity publisherOf(SignedPacket packet) {
        return publishers.stream().filter(n -> n.nodeId().equals(packet.packet().getNodeId())).findFirst()
                .orElseThrow();
    }

    /** Up to three distinct earlier packets of other nodes. */
    private List<String> citations(NodeIdentity signer) {
        List<String> cited = new ArrayList<>();
        int n = published.isEmpty() ? 0 : random.nextInt(4);
        for (int i = 0; i < n; i++) {
            SignedPacket p = published.get(random.nextInt(published.size()));
            if (!p.packet().getNodeId().equals(signer.nodeId()) && !cited.contains(p.id())) {
                cited.add(p.id());
            }
        }
        return cited;
    }

    private SignedPacket packet(NodeIdentity signer, List<String> informedBy) {
        String task = TASKS.get(random.nextInt(TASKS.size()));
        double baseline = 0.3 + random.nextInt(40) / 100.0;
        double gain = 0.01 + random.nextInt(30) / 100.0;
        return new OutcomePacketBuilder()
                .family(FAMILY).task(task).tag(TAGS.get(random.nextInt(TAGS.size())))
                .dataScale(DataScale.values()[random.nextInt(DataScale.values().length)])
                .benchmark("chaos-bench").metric("acc")
                .baselineScore(baseline).outcomeScore(baseline * (1 + gain)).higherIsBetter(true)
                .methodType("LoRA").hyperparam("lora_r", 4 << random.nextInt(4))
                .hyperparam("seed", random.nextInt(1_000_000))
                .heldOutEval(true).nEvalSamples(50 + random.nextInt(500)).confidence(0.5 + random.nextInt(50) / 100.0)
                .informedBy(informedBy)
                .issuedAt(Instant.now())
                .sign(signer);
    }

    private SignedReport vote(NodeIdentity voter, SignedPacket target) {
        double baseline = target.packet().getOutcome().getBaselineScore();
        double observed = baseline * (1 + PacketFactory.claimedGain(target.packet()) * random.nextDouble() * 1.2);
        return new ValidationReportBuilder()
                .packetId(target.id())
                .baselineScore(baseline)
                .observedScore(observed)
                .nEvalSamples(50 + random.nextInt(300))
                .issuedAt(Instant.now())
                .sign(voter);
    }
}
