package dev.qis.topology;

import dev.qis.config.QisConfig;
import dev.qis.fidelity.Elections;
import dev.qis.metrics.QisMeters;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import dev.qis.store.CompactSerdes;
import dev.qis.store.NodeTally;
import dev.qis.store.PacketEvent;
import dev.qis.store.StoreNames;
import dev.qis.store.StoreSerdes;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The topology of design §5. Four sub-topologies joined by explicitly named repartition topics:
 * <ol>
 *   <li>ingest over {@code qis.outcomes.*} and {@code qis.votes} (keyed by fingerprint): verify (records of a node
 *       whose key has not arrived yet wait in {@link StoreNames#INGEST_HELD}), dedupe,
 *       dead-letter to {@code qis.rejected}, emit packet/vote/citation events re-keyed by the fingerprint they
 *       concern → {@code qis-events};</li>
 *   <li>packet state (by fingerprint, {@link StoreNames#PACKETS}) → node deltas {@code qis-by-node},
 *       candidate updates {@code qis-by-domain}, routed packets to {@code qis.domain.<domain>};</li>
 *   <li>node tallies (by node, {@link StoreNames#NODE_TALLIES}) → {@link StoreNames#NODE_TRUST_TOPIC} →
 *       the {@link StoreNames#NODE_TRUST} global store;</li>
 *   <li>domain views (by domain, {@link StoreNames#DOMAIN_CANDIDATES}, {@link StoreNames#DOMAIN_STATS}, and their
 *       indexes {@link StoreNames#DOMAIN_RANK}, {@link StoreNames#DOMAIN_MEMBERS}).</li>
 * </ol>
 */
public final class QisTopology {
    /** Every outcome topic and the votes topic: one co-partitioned pattern source. */
    public static final Pattern INPUT_PATTERN = Pattern.compile(Topics.OUTCOMES_PATTERN.pattern() + "|"
            + Pattern.quote(Topics.VOTES));

    private QisTopology() {
    }

    public static Topology build(QisConfig config) {
        return build(config, Clock.systemUTC(), DomainTopics.NAME_ONLY);
    }

    public static Topology build(QisConfig config, Clock clock, DomainTopics domainTopics) {
        return build(config, clock, domainTopics, QisMeters.discarding());
    }

    /** The topology, counting what ingest decides on {@code meters} (accepted, rejected by reason, votes, citations). */
    public static Topology build(QisConfig config, Clock clock, DomainTopics domainTopics, QisMeters meters) {
        return build(config, clock, domainTopics, meters, Optional.empty());
    }

    /**
     * The topology; with {@code framing}, routed packets are written to their domain topics in Schema Registry
     * framing (and wait in {@link StoreNames#DOMAIN_PENDING} while the registry cannot frame them), without it in
     * the single-object encoding they were published in.
     */
    public static Topology build(QisConfig config, Clock clock, DomainTopics domainTopics, QisMeters meters,
                                 Optional<DomainFraming> framing) {
        Elections elections = new Elections(config.fidelity());
        var unknownNodeGrace = config.unknownNodeGrace();
        NodeKeyArrivals arrivals = new NodeKeyArrivals();
        Serde<String> strings = Serdes.String();
        Serde<byte[]> bytes = Serdes.ByteArray();
        Serde<NodeTally> tallies = StoreSerdes.nodeTally();
        StreamsBuilder builder = new StreamsBuilder(topologyConfig(config));

        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.NODE_KEYS),
                        strings, bytes).withLoggingDisabled(),
                Topics.NODES, Consumed.with(strings, bytes).withName("qis-node-keys-source"),
                () -> new NodeKeyRegistry(StoreNames.NODE_KEYS, arrivals));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.NODE_TRUST),
                        strings, tallies).withLoggingDisabled(),
                StoreNames.NODE_TRUST_TOPIC, Consumed.with(strings, tallies).withName("qis-node-trust-source"),
                () -> new GlobalPut<>(StoreNames.NODE_TRUST));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.INGEST_HISTORY), strings, bytes));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.INGEST_HELD), strings, StoreSerdes.heldRecord()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.PACKETS), strings, StoreSerdes.packetState()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.PACKET_VOTES), strings, StoreSerdes.voteEntry()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.PACKET_CITATIONS), strings, strings));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.PACKET_BACKERS), strings, Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.PACKETS_PENDING), strings, strings));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.NODE_TALLIES), strings, tallies));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.DOMAIN_CANDIDATES), strings, StoreSerdes.candidate()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.DOMAIN_STATS), strings, StoreSerdes.domainStats()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.DOMAIN_RANK), strings, strings));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.DOMAIN_MEMBERS), strings, Serdes.Long()));

        // 1. ingest
        Map<String, KStream<String, IngestOutput>> ingested = builder
                .stream(INPUT_PATTERN, Consumed.with(bytes, bytes).withName("qis-input"))
                .process(() -> new IngestProcessor(clock, elections, unknownNodeGrace, arrivals),
                        Named.as("qis-ingest"),
                        StoreNames.INGEST_HISTORY, StoreNames.INGEST_HELD)
                .split(Named.as("qis-ingest-"))
                .branch((k, v) -> v instanceof IngestOutput.DeadLetter, Branched.as("dead-letters"))
                .defaultBranch(Branched.as("events"));
        ingested.get("qis-ingest-dead-letters")
                .peek((k, v) -> meters.rejected(ProtocolCodec.decodeRejection(
                        ((IngestOutput.DeadLetter) v).rejection()).getReason().name()), Named.as("qis-count-rejected"))
                .map((k, v) -> {
                    IngestOutput.DeadLetter d = (IngestOutput.DeadLetter) v;
                    return KeyValue.pair(d.originalKey(), d.rejection());
                }, Named.as("qis-dead-letter-unwrap"))
                .to(Topics.REJECTED, Produced.with(bytes, bytes).withName("qis-rejected-sink"));

        // 2. packet state
        Map<String, KStream<String, PacketOutput>> changed = ingested.get("qis-ingest-events")
                .mapValues(v -> ((IngestOutput.Event) v).event(), Named.as("qis-event-unwrap"))
                .peek((k, e) -> {
                    count(meters, e);
                    if (e instanceof PacketEvent.Accepted accepted) {
                        domainTopics.prepare(accepted.facts().task()); // created by the time the packet is routed
                    }
                }, Named.as("qis-count-events"))
                .repartition(Repartitioned.<String, PacketEvent>as(StoreNames.EVENTS_REPARTITION)
                        .withKeySerde(strings).withValueSerde(CompactSerdes.packetEvent()))
                .process(() -> new PacketStateProcessor(elections, config.candidateReportsMax(),
                                config.pendingRetention(), meters), Named.as("qis-packet-state"),
                        StoreNames.PACKETS, StoreNames.PACKET_VOTES, StoreNames.PACKET_CITATIONS,
                        StoreNames.PACKET_BACKERS, StoreNames.PACKETS_PENDING)
                .split(Named.as("qis-packet-"))
                .branch((k, v) -> v instanceof PacketOutput.DeadLetter, Branched.as("dead-letters"))
                .branch((k, v) -> v instanceof PacketOutput.NodeDelta, Branched.as("node-deltas"))
                .branch((k, v) -> v instanceof PacketOutput.CandidateUpdate, Branched.as("candidates"))
                .defaultBranch(Branched.as("routed"));

        changed.get("qis-packet-dead-letters")
                .mapValues(v -> (PacketOutput.DeadLetter) v, Named.as("qis-packet-dead-letter-unwrap"))
                .peek((k, d) -> meters.rejected(ProtocolCodec.decodeRejection(d.rejection()).getReason().name()),
                        Named.as("qis-count-packet-rejected"))
                .map((k, d) -> KeyValue.pair(d.key(), d.rejection()), Named.as("qis-packet-dead-letter-key"))
                .to(Topics.REJECTED, Produced.with(bytes, bytes).withName("qis-packet-rejected-sink"));

        // 3. node tallies → node trust (global)
        changed.get("qis-packet-node-deltas")
                .mapValues(v -> (PacketOutput.NodeDelta) v, Named.as("qis-node-delta-unwrap"))
                .repartition(Repartitioned.<String, PacketOutput.NodeDelta>as(StoreNames.BY_NODE_REPARTITION)
                        .withKeySerde(strings).withValueSerde(NodeDeltaSerde.serde()))
                .process(NodeTallyProcessor::new, Named.as("qis-node-tally"), StoreNames.NODE_TALLIES)
                .to(StoreNames.NODE_TRUST_TOPIC, Produced.with(strings, tallies).withName("qis-node-trust-sink"));

        // 4. domain views
        int maxCandidates = config.fidelity().maxCandidates();
        int maxStoredPerNode = config.fidelity().maxStoredPerNode();
        changed.get("qis-packet-candidates")
                .mapValues(v -> (PacketOutput.CandidateUpdate) v, Named.as("qis-candidate-unwrap"))
                .repartition(Repartitioned.<String, PacketOutput.CandidateUpdate>as(StoreNames.BY_DOMAIN_REPARTITION)
                        .withKeySerde(strings).withValueSerde(CandidateUpdateSerde.serde()))
                .peek((k, v) -> {
                    if (v.first()) {
                        meters.packetStored();
                    }
                }, Named.as("qis-count-stored"))
                .process(() -> new DomainViewProcessor(maxCandidates, maxStoredPerNode), Named.as("qis-domain-view"),
                        StoreNames.DOMAIN_CANDIDATES, StoreNames.DOMAIN_STATS, StoreNames.DOMAIN_RANK,
                        StoreNames.DOMAIN_MEMBERS);

        // domain topics: key fingerprint, value the original signed bytes, qis.* headers
        Serde<PacketOutput.RoutedPacket> routed = Serdes.serdeFrom(
                (topic, v) -> v == null ? null : v.bytes(),
                (topic, b) -> b == null ? null : new PacketOutput.RoutedPacket(topic, b));
        KStream<String, PacketOutput.RoutedPacket> toDomains = changed.get("qis-packet-routed")
                .mapValues(v -> (PacketOutput.RoutedPacket) v, Named.as("qis-routed-unwrap"));
        if (framing.isPresent()) {
            builder.addStateStore(Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(StoreNames.DOMAIN_PENDING), strings, StoreSerdes.pendingRoutedPacket()));
            Duration retry = config.registryRetryInterval();
            toDomains = toDomains.process(() -> new DomainFramingProcessor(framing.get(), retry, System.err),
                    Named.as("qis-domain-framing"), StoreNames.DOMAIN_PENDING);
        }
        toDomains.to((key, value, context) -> domainTopics.ensure(value.domain()),
                        Produced.with(strings, routed).withName("qis-domain-sink"));
        return builder.build();
    }

    private static void count(QisMeters meters, PacketEvent e) {
        if (e instanceof PacketEvent.Accepted) {
            meters.packetAccepted();
        } else if (e instanceof PacketEvent.Voted) {
            meters.vote("verified");
        } else if (e instanceof PacketEvent.Cited) {
            meters.citation();
        }
    }

    /**
     * The topology-level settings, so that {@code ensure.explicit.internal.resource.naming} is enforced while the
     * topology is built (an unnamed store or internal topic fails the build, not a later deployment).
     */
    private static TopologyConfig topologyConfig(QisConfig config) {
        Properties props = config.streamsProperties();
        // StreamsConfig insists on bootstrap.servers; the topology settings do not use it.
        props.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "topology-only:9092");
        return new TopologyConfig(new StreamsConfig(props));
    }
}
