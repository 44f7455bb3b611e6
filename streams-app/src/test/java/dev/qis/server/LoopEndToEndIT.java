package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.protocol.Ed25519;
import dev.qis.protocol.PacketHistory;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.NodeKey;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.TopicLayout;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationGoals;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.network.KafkaHttpNetwork;
import dev.qis.simulation.rounds.EcosystemSimulator;
import dev.qis.testing.InJvmKafka;
import java.net.URI;
import java.nio.file.Files;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The loop, closed on a real broker: the simulator publishes, asks for syntheses, applies them, cites and votes,
 * while Byzantine actors forge, replay and flood. The loop must beat no coordination, and nothing forged may ever
 * reach a domain topic.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LoopEndToEndIT {
    private static final int PARTITIONS = 3;
    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();
    private static QisServer server;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> flags = new HashMap<>();
        flags.put(QisConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        flags.put(QisConfig.APPLICATION_ID, "loop-e2e-" + UUID.randomUUID());
        flags.put(QisConfig.REST_PORT, "0"); // any free port; application.server becomes localhost:<that port>
        flags.put(QisConfig.REST_BIND, "127.0.0.1");
        flags.put(QisConfig.STATE_DIR, Files.createTempDirectory("qis-loop-e2e").toString());
        flags.put(QisConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
        flags.put(QisConfig.TOPIC_REPLICATION, "1");
        server = QisServer.start(QisConfig.load(Optional.empty(), Map.of(), flags), Clock.systemUTC());
        assertTrue(server.awaitRunning(Duration.ofSeconds(90)), "the stream app reached RUNNING");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theLoopBeatsNoCoordinationAndNothingForgedIsRouted() throws Exception {
        SimulationConfig config = SimulationConfig.defaults().withNodes(50).withDomains(4).withRounds(5)
                .withSeed(7).withByzantine(0.2, 6);
        SimulationReport report = simulate(config);

        assertTrue(report.gains().runs() > 0, "honest runs after round 0");
        assertTrue(report.gains().loop() > report.gains().noCoordination(),
                "loop " + report.gains().loop() + " vs no coordination " + report.gains().noCoordination());

        SimulationReport.Attack forged = report.byzantine().forged();
        assertTrue(forged.sent() > 0, "the forgers forged");
        assertEquals(forged.sent(), forged.rejected(), "every forged packet rejected: " + forged.byReason());
        assertEquals(report.byzantine().tamperedReplays().sent(), report.byzantine().tamperedReplays().rejected());
        assertEquals(0, report.byzantine().validPacketsRejected(), "no valid packet rejected");
        assertEquals(report.byzantine().exactReplays().packetsExpected(),
                report.byzantine().exactReplays().packetsStored(), "byte-identical replays are not double-counted");

        // Nothing forged was ever routed: every record on every domain topic verifies against the registered keys.
        Map<String, PublicKey> keys = registeredKeys();
        PacketVerifier verifier = new PacketVerifier(id -> Optional.ofNullable(keys.get(id)), Clock.systemUTC());
        List<ConsumerRecord<String, byte[]>> routed = kafka.readToEnd(domainTopics(), "read_committed");
        assertFalse(routed.isEmpty(), "packets were routed");
        for (ConsumerRecord<String, byte[]> r : routed) {
            Verdict<?> verdict = verifier.verifyPacket(r.value(), PacketHistory.NONE);
            assertInstanceOf(Verdict.Accepted.class, verdict, r.topic() + "@" + r.offset() + ": " + verdict);
        }
    }

    /**
     * The elections elect: in the base scenario of docs/simulation.md (on its own domains of the same app), the
     * loop's recommendations must beat naive averaging of every packet in popular domains and overall, beat no
     * coordination in rare domains, and keep Byzantine packets out of the top-10. The goal of regret below naive
     * averaging in rare domains too is not asserted: with two or three honest nodes per rare domain it is missed by a
     * small margin in this scenario (docs/simulation.md gives the figures for every scenario and seed).
     */
    @Test
    void theLoopBeatsNaiveAveragingWhereTheElectionsMeetTheirGoalsAndKeepsByzantinePacketsOutOfTheTop() {
        // the base scenario of the matrix in docs/simulation.md, seed 42
        SimulationConfig base = SimulationConfig.defaults();
        SimulationConfig config = new SimulationConfig(150, 15, 8, base.byzantineShare(), base.sybilKeys(),
                base.epsilon(), 42, base.zipfExponent(), base.topK(), "goals", base.families());
        SimulationReport report = simulate(config);
        assertTrue(report.warnings().isEmpty(), "the app kept up: " + report.warnings());
        SimulationGoals.check(report, SimulationGoals.REGRET_POPULAR);
        SimulationGoals.checkByzantineTopShare(report, 0.05);
        assertTrue(report.gains().loop() > report.gains().naive(),
                "loop " + report.gains().loop() + " vs naive averaging " + report.gains().naive());
        assertTrue(report.gains().rare().capturedImprovement() > 0,
                "in rare domains the loop beats no coordination: " + report.gains().rare());
    }

    private static Map<String, PublicKey> registeredKeys() {
        Map<String, PublicKey> keys = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(List.of(Topics.NODES), "read_committed")) {
            NodeKey key = ProtocolCodec.decodeNodeKey(r.value());
            byte[] raw = new byte[key.getPublicKey().remaining()];
            key.getPublicKey().duplicate().get(raw);
            keys.put(key.getNodeId(), Ed25519.publicKey(raw));
        }
        return keys;
    }

    private static List<String> domainTopics() throws Exception {
        try (Admin admin = kafka.admin()) {
            return admin.listTopics().names().get().stream().filter(t -> t.startsWith(Topics.DOMAIN_PREFIX)).toList();
        }
    }

    /** Runs the simulation against the app under test, through Kafka and its REST API. */
    private static SimulationReport simulate(SimulationConfig config) {
        PublisherSettings settings = PublisherSettings.forBootstrap(kafka.bootstrapServers())
                .withLayout(new TopicLayout(PARTITIONS, (short) 1, 1));
        try (KafkaHttpNetwork network = KafkaHttpNetwork.open(settings,
                URI.create("http://127.0.0.1:" + server.port()))) {
            return new EcosystemSimulator(Clock.systemUTC(), Duration.ofSeconds(90), 4)
                    .run(config, network, ProgressListener.NONE);
        }
    }
}
