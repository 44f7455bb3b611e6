package dev.qis.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.adapters.AdapterException;
import dev.qis.adapters.Draft;
import dev.qis.adapters.JsonLinesAdapter;
import dev.qis.adapters.LmEvalAdapter;
import dev.qis.adapters.MissingFieldException;
import dev.qis.adapters.MlflowRunAdapter;
import dev.qis.adapters.PacketFields;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.SignedPacket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one internal event into signed packets, or into the reason it cannot be published. A pure function of the
 * event's bytes, the mapping and the node key (and, for a flat packet without {@code issued_at}, the record's
 * timestamp): {@code issued_at} is the run's end time, never the clock, and Ed25519 signatures are deterministic,
 * so the same event always yields byte-identical packets. The clock only bounds how far in the future an event
 * may claim to be.
 */
public final class EventTranslator {
    /** The field a flat packet event may carry for its time: epoch milliseconds or ISO-8601. */
    public static final String ISSUED_AT = "issued_at";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BridgeMapping mapping;
    private final NodeIdentity node;
    private final Clock clock;

    public EventTranslator(BridgeMapping mapping, NodeIdentity node, Clock clock) {
        this.mapping = mapping;
        this.node = node;
        this.clock = clock;
    }

    /** What one event became. */
    public sealed interface Translation {
    }

    /**
     * Packets to publish, all or none.
     *
     * @param skipped lm-eval measurements without a base-model result, reported but not published
     */
    public record Packets(EventFormat format, List<SignedPacket> packets, List<String> skipped) implements Translation {
    }

    /** The event goes to the dead-letter topic. */
    public record DeadLetter(DeadLetterReason reason, String detail) implements Translation {
    }

    /**
     * @param where           the event's origin for messages ("mlops.runs-0@17")
     * @param value           the record's value
     * @param recordTimestamp the record's timestamp, the time of a flat packet that names none
     */
    public Translation translate(String where, byte[] value, long recordTimestamp) {
        if (value == null) {
            return new DeadLetter(DeadLetterReason.MALFORMED, where + ": no value (a tombstone)");
        }
        JsonNode event;
        try {
            event = JSON.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            return new DeadLetter(DeadLetterReason.MALFORMED, where + ": malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new DeadLetter(DeadLetterReason.MALFORMED, where + ": unreadable: " + e.getMessage());
        }
        if (event == null || !event.isObject()) {
            return new DeadLetter(DeadLetterReason.MALFORMED, where + ": expected a JSON object");
        }
        EventFormat format = EventFormat.of(event).orElse(null);
        if (format == null) {
            return new DeadLetter(DeadLetterReason.UNKNOWN_FORMAT, where + ": neither an MLflow run ({\"run\": ...}),"
                    + " lm-eval results ({\"results\", \"config\"}) nor a flat packet");
        }
        try {
            return switch (format) {
                case MLFLOW -> mlflow((ObjectNode) event, where);
                case LM_EVAL -> lmEval(event, where);
                case PACKET -> packet((ObjectNode) event, where, recordTimestamp);
            };
        } catch (MissingFieldException e) {
            return new DeadLetter(e.field().equals("baseline_score") ? DeadLetterReason.NO_BASELINE
                    : DeadLetterReason.MISSING_FIELD, e.getMessage());
        } catch (AdapterException e) {
            if (e.getCause() instanceof ProtocolException p) {
                return new DeadLetter(reasonOf(p), e.getMessage());
            }
            return new DeadLetter(DeadLetterReason.INVALID_FIELD, e.getMessage());
        } catch (ProtocolException e) {
            return new DeadLetter(reasonOf(e), where + ": " + e.getMessage());
        }
    }

    private Translation mlflow(ObjectNode event, String where) {
        ObjectNode run = (ObjectNode) event.get("run");
        JsonNode info = run.path("info");
        String runId = info.path("run_id").asText("");
        String status = info.path("status").asText("");
        if (!status.toUpperCase(Locale.ROOT).equals("FINISHED")) {
            return new DeadLetter(DeadLetterReason.NOT_FINISHED, where + " run " + runId + ": status "
                    + (status.isEmpty() ? "missing" : status) + " (only FINISHED runs are published)");
        }
        JsonNode end = info.get("end_time");
        if (end == null || !end.canConvertToLong() || end.asLong() <= 0) {
            return new DeadLetter(DeadLetterReason.MISSING_FIELD, where + " run " + runId
                    + ": issued_at: the run has no info.end_time");
        }
        Instant issuedAt = Instant.ofEpochMilli(end.asLong());
        Map<String, String> tags = runTags(run);
        BridgeMapping.Fields fields = mapping.fieldsFor(EventFormat.MLFLOW, info.path("experiment_id").asText(null), tags);
        // The mapping fills what the run does not name: as qis.* tags the run lacks, so the adapter's own lookups
        // (outcome and baseline metrics included) see them.
        ObjectNode copy = event.deepCopy();
        ObjectNode data = ((ObjectNode) copy.get("run")).withObjectProperty("data");
        ArrayNode tagList = data.path("tags").isArray() ? (ArrayNode) data.get("tags") : data.putArray("tags");
        Map<String, String> params = keyValues(run.path("data").path("params"));
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.values().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = MlflowRunAdapter.PREFIX + f.getKey();
            String value = BridgeMapping.Fields.tagValue(f.getValue());
            if (value != null && !tags.containsKey(key) && !params.containsKey(key)) {
                tagList.addObject().put("key", key).put("value", value);
            }
        }
        PacketFields overrides = PacketFields.NONE;
        JsonNode hp = fields.values().get("hyperparams");
        if (hp != null && hp.isObject()) {
            overrides = fields.packetFields(where + " mapping");
            overrides = new PacketFields(null, null, null, null, null, null, null, null, null, null,
                    overrides.hyperparams(), null, null, null, null);
        }
        Draft draft = MlflowRunAdapter.read(copy, where, where, overrides, issuedAt);
        return sealAll(EventFormat.MLFLOW, List.of(draft), List.of());
    }

    private Translation lmEval(JsonNode event, String where) {
        Instant issuedAt = LmEvalAdapter.date(event).orElse(null);
        if (issuedAt == null) {
            return new DeadLetter(DeadLetterReason.MISSING_FIELD, where + ": issued_at: the results have no date");
        }
        BridgeMapping.Fields fields = mapping.fieldsFor(EventFormat.LM_EVAL, null, Map.of());
        if (fields.baselineResults() == null) {
            return new DeadLetter(DeadLetterReason.NO_BASELINE, where + ": no base-model results: the mapping gives no "
                    + BridgeMapping.BASELINE_RESULTS + " for lm-eval events");
        }
        PacketFields overrides = fields.packetFields(where + " mapping");
        LmEvalAdapter.Result result = LmEvalAdapter.read(event, where, fields.baselineResults(),
                fields.values().get(BridgeMapping.BASELINE_RESULTS).asText(), overrides, issuedAt);
        return sealAll(EventFormat.LM_EVAL, result.drafts(), result.skipped());
    }

    private Translation packet(ObjectNode event, String where, long recordTimestamp) {
        ObjectNode line = event.deepCopy();
        JsonNode at = line.remove(ISSUED_AT);
        Instant issuedAt;
        try {
            issuedAt = at == null ? Instant.ofEpochMilli(recordTimestamp)
                    : at.isIntegralNumber() ? Instant.ofEpochMilli(at.asLong()) : Instant.parse(at.asText());
        } catch (DateTimeException e) {
            return new DeadLetter(DeadLetterReason.INVALID_FIELD, where + ": issued_at: expected epoch milliseconds or"
                    + " an ISO-8601 instant, got " + at);
        }
        PacketFields own = JsonLinesAdapter.parseLine(line.toString(), where);
        PacketFields fromMapping = mapping.fieldsFor(EventFormat.PACKET, null, Map.of()).packetFields(where + " mapping");
        Draft draft = fromMapping.overriddenBy(own).toDraft(where, issuedAt);
        return sealAll(EventFormat.PACKET, List.of(draft), List.of());
    }

    private Translation sealAll(EventFormat format, List<Draft> drafts, List<String> skipped) {
        Instant latest = clock.instant().plus(PacketVerifier.MAX_CLOCK_SKEW);
        List<SignedPacket> packets = new ArrayList<>(drafts.size());
        for (Draft d : drafts) {
            if (d.packet().getIssuedAt().isAfter(latest)) {
                return new DeadLetter(DeadLetterReason.FUTURE_TIMESTAMP, d.source() + ": issued_at "
                        + d.packet().getIssuedAt() + " is more than " + PacketVerifier.MAX_CLOCK_SKEW.toMinutes()
                        + " minutes ahead");
            }
            packets.add(d.seal(node));
        }
        return new Packets(format, List.copyOf(packets), skipped);
    }

    private static DeadLetterReason reasonOf(ProtocolException e) {
        return switch (e.reason()) {
            case OVERSIZE -> DeadLetterReason.OVERSIZE;
            case FUTURE_TIMESTAMP -> DeadLetterReason.FUTURE_TIMESTAMP;
            default -> DeadLetterReason.INVALID_FIELD;
        };
    }

    private static Map<String, String> runTags(JsonNode run) {
        return keyValues(run.path("data").path("tags"));
    }

    private static Map<String, String> keyValues(JsonNode list) {
        Map<String, String> out = new HashMap<>();
        if (list.isArray()) {
            for (JsonNode kv : list) {
                if (kv.path("key").isTextual() && kv.has("value")) {
                    out.put(kv.get("key").asText(), kv.get("value").asText());
                }
            }
        }
        return out;
    }
}
