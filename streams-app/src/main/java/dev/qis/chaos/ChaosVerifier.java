package dev.qis.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.client.QisApiClient;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.Rejection;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.registry.DomainRecordReader;
import dev.qis.simulation.actors.PacketFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what the run left, everything with {@code read_committed}: the input topics (the truth the expectation is
 * computed from), {@code qis.rejected}, the domain topics, and the REST API. It checks that every accepted packet is
 * stored once and answers, every forged or tampered record is dead-lettered once and never routed, each packet's
 * vote tally and citations equal a recomputation from the inputs, and every packet id on the domain topics is there
 * once with the bytes that were signed.
 */
final class ChaosVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final ChaosLedger ledger;

    ChaosVerifier(String bootstrapServers, ChaosLedger ledger) {
        this.bootstrapServers = bootstrapServers;
        this.ledger = ledger;
    }

    /** What the inputs hold, and what the app's outputs must therefore be. */
    static final class Expectation {
        final Map<String, OutcomePacket> accepted = new HashMap<>();
        /** Each forged or tampered record by hash, and how often the committed inputs hold it (a resent batch: 2). */
        final Map<String, Integer> badHashes = new HashMap<>();
        final Set<String> badIds = new HashSet<>();
        final Map<String, Long> packetsPerDomain = new TreeMap<>();
        final Map<String, Set<String>> citingPackets = new HashMap<>();
        /** packet id -> voter -> the voter's latest report (issued_at, then report id, as the app orders them). */
        final Map<String, Map<String, ValidationReport>> latestVotes = new HashMap<>();
        final List<String> differences = new ArrayList<>();
        /** How many distinct packets the domain topics hold (set by the last check). */
        int routedCount;

        ElectionsCheck.Expected of(String packetId) {
            Map<String, String> votes = new TreeMap<>();
            latestVotes.getOrDefault(packetId, Map.of()).forEach((voter, r) -> votes.put(voter, r.getReportId()));
            return new ElectionsCheck.Expected(citingPackets.getOrDefault(packetId, Set.of()).size(), votes);
        }
    }

    /** Reads the inputs once; they do not change after the generator has stopped. */
    Expectation expectation() {
        Expectation e = new Expectation();
        Set<String> seen = new HashSet<>();
        List<ReportRecord> reports = new ArrayList<>();
        readAll(t -> Topics.OUTCOMES_PATTERN.matcher(t).matches() || t.equals(Topics.VOTES), r -> {
            String hash = PacketFactory.sha256(r.value());
            seen.add(hash);
            ChaosLedger.Kind kind = ledger.kindOf(hash);
            if (kind == null) {
                e.differences.add("a record the generator never sent is on " + r.topic() + " (offset " + r.offset()
                        + ")");
                return;
            }
            switch (kind) {
                case PACKET -> {
                    OutcomePacket p = ProtocolCodec.decodePacket(r.value());
                    e.accepted.put(p.getPacketId(), p);
                }
                case VOTE -> reports.add(new ReportRecord(ProtocolCodec.decodeReport(r.value())));
                case BAD_PACKET -> {
                    e.badHashes.merge(hash, 1, Integer::sum);
                    e.badIds.add(ProtocolCodec.decodePacket(r.value()).getPacketId());
                }
            }
        });
        for (String acknowledged : ledger.acknowledged()) {
            if (!seen.contains(acknowledged)) {
                e.differences.add("an acknowledged " + ledger.kindOf(acknowledged) + " (sha-256 " + acknowledged
                        + ") is not on the input topics");
            }
        }
        // a tampered packet may keep an honest packet's id: that id is the honest packet's, not a forgery's
        e.badIds.removeAll(e.accepted.keySet());
        for (OutcomePacket p : e.accepted.values()) {
            e.packetsPerDomain.merge(p.getContext().getTask(), 1L, Long::sum);
            for (String cited : p.getInformedBy()) {
                if (e.accepted.containsKey(cited)) {
                    e.citingPackets.computeIfAbsent(cited, k -> new HashSet<>()).add(p.getPacketId());
                }
            }
        }
        for (ReportRecord rr : reports) {
            ValidationReport r = rr.report();
            OutcomePacket target = e.accepted.get(r.getPacketId());
            if (target == null || target.getNodeId().equals(r.getNodeId())) {
                continue; // a vote on an unknown packet stays pending; a self-vote never counts
            }
            e.latestVotes.computeIfAbsent(r.getPacketId(), k -> new HashMap<>()).merge(r.getNodeId(), r,
                    (a, b) -> later(a, b));
        }
        return e;
    }

    private record ReportRecord(ValidationReport report) {
    }

    private static ValidationReport later(ValidationReport a, ValidationReport b) {
        int byTime = a.getIssuedAt().compareTo(b.getIssuedAt());
        if (byTime != 0) {
            return byTime > 0 ? a : b;
        }
        return a.getReportId().compareTo(b.getReportId()) >= 0 ? a : b;
    }

    /** The differences between the outputs and {@code e}; empty when every record was delivered exactly once. */
    List<String> differences(Expectation e, AppInstance api, int maxListed) throws InterruptedException {
        List<String> out = new ArrayList<>(e.differences);
        outputsOnTopics(e, out);
        outputsOverRest(e, api, out);
        if (out.size() > maxListed) {
            int more = out.size() - maxListed;
            out = new ArrayList<>(out.subList(0, maxListed));
            out.add("... and " + more + " more");
        }
        return out;
    }

    /** The differences the REST answers of {@code api} alone show (the topics not read). */
    List<String> restDifferences(Expectation e, AppInstance api, int maxListed) throws InterruptedException {
        List<String> out = new ArrayList<>(e.differences);
        outputsOverRest(e, api, out);
        return out.size() > maxListed ? new ArrayList<>(out.subList(0, maxListed)) : out;
    }

    private void outputsOnTopics(Expectation e, List<String> out) {
        Map<String, Integer> rejectedHashes = new HashMap<>();
        readAll(t -> t.equals(Topics.REJECTED), r -> {
            Rejection rejection = ProtocolCodec.decodeRejection(r.value());
            ByteBuffer value = rejection.getOriginalValue();
            if (value == null) {
                return;
            }
            byte[] bytes = new byte[value.remaining()];
            value.duplicate().get(bytes);
            String hash = PacketFactory.sha256(bytes);
            rejectedHashes.merge(hash, 1, Integer::sum);
            ChaosLedger.Kind kind = ledger.kindOf(hash);
            if (kind == ChaosLedger.Kind.PACKET || kind == ChaosLedger.Kind.VOTE) {
                out.add("an honest " + kind + " was rejected: " + rejection.getReason() + " " + rejection.getDetail());
            }
        });
        e.badHashes.forEach((bad, sent) -> {
            int n = rejectedHashes.getOrDefault(bad, 0);
            if (n != sent) {
                out.add("a forged or tampered packet (sha-256 " + bad + ") is dead-lettered " + n + " times, but the"
                        + " inputs hold it " + sent + " time(s)");
            }
        });
        DomainRecordReader reader = new DomainRecordReader(Optional.empty());
        Map<String, Integer> routed = new HashMap<>();
        readAll(t -> t.startsWith(Topics.DOMAIN_PREFIX), r -> {
            OutcomePacket p = reader.decode(r.value());
            routed.merge(p.getPacketId(), 1, Integer::sum);
            OutcomePacket accepted = e.accepted.get(p.getPacketId());
            if (e.badIds.contains(p.getPacketId())) {
                out.add("forged or tampered packet " + p.getPacketId() + " was routed to " + r.topic());
            } else if (accepted == null) {
                out.add("packet " + p.getPacketId() + " on " + r.topic() + " was never accepted");
            } else if (!accepted.equals(p)) {
                out.add("packet " + p.getPacketId() + " on " + r.topic() + " differs from the one signed");
            }
        });
        routed.forEach((id, n) -> {
            if (n != 1) {
                out.add("packet " + id + " is on the domain topics " + n + " times");
            }
        });
        e.routedCount = routed.size();
    }

    private void outputsOverRest(Expectation e, AppInstance api, List<String> out) throws InterruptedException {
        Map<String, Long> stored = new TreeMap<>();
        JsonNode domains = json(api, "/v1/domains", out);
        if (domains != null) {
            for (JsonNode d : domains.path("domains")) {
                stored.put(d.path("domain").asText(), d.path("packets").asLong());
            }
            if (!stored.equals(e.packetsPerDomain)) {
                out.add("packets stored per domain " + stored + ", accepted " + e.packetsPerDomain);
            }
        }
        for (String id : e.accepted.keySet()) {
            JsonNode packet = json(api, "/v1/packets/" + id, out);
            if (packet != null) {
                out.addAll(ElectionsCheck.compare(id, packet, e.of(id)));
            }
        }
        for (String id : e.badIds) {
            try {
                int status = api.get("/v1/packets/" + id).statusCode();
                if (status != 404) {
                    out.add("forged or tampered packet " + id + " answers " + status + ", not 404");
                }
            } catch (java.io.IOException ex) {
                out.add("GET /v1/packets/" + id + ": " + ex.getMessage());
            }
        }
    }

    private static JsonNode json(AppInstance api, String path, List<String> out) throws InterruptedException {
        try {
            QisApiClient.Answer response = api.get(path);
            if (response.statusCode() != 200) {
                out.add("GET " + path + " answered " + response.statusCode());
                return null;
            }
            return JSON.readTree(response.body());
        } catch (java.io.IOException ex) {
            out.add("GET " + path + ": " + ex.getMessage());
            return null;
        }
    }

    private interface RecordSink {
        void accept(ConsumerRecord<byte[], byte[]> record);
    }

    /** Every committed record of the topics {@code which} accepts, from the start to the end as of now. */
    private void readAll(Predicate<String> which, RecordSink sink) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.CLIENT_ID_CONFIG, "qis-chaos-verifier"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Map.Entry<String, List<PartitionInfo>> t : consumer.listTopics(Duration.ofSeconds(30)).entrySet()) {
                if (which.test(t.getKey())) {
                    t.getValue().forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
            end.values().removeIf(v -> v == 0);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!end.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read to the end of " + end.keySet() + " in 2 min");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        sink.accept(r);
                    }
                }
                end.entrySet().removeIf(x -> consumer.position(x.getKey()) >= x.getValue());
            }
        }
    }
}
