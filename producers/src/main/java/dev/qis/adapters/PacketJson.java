package dev.qis.adapters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.protocol.avro.OutcomePacket;
import java.time.Instant;
import java.util.Base64;

/** A packet as a flat JSON object with the Avro field names: what JSON lines read, plus id, node and signature. */
public final class PacketJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PacketJson() {
    }

    public static ObjectNode of(OutcomePacket p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("packet_id", p.getPacketId());
        o.put("node_id", p.getNodeId());
        o.put("issued_at", Instant.ofEpochMilli(p.getIssuedAt().toEpochMilli()).toString());
        o.put("base_model_family", p.getContext().getBaseModelFamily());
        o.put("task", p.getContext().getTask());
        var tags = o.putArray("tags");
        p.getContext().getTags().forEach(t -> tags.add(t.toString()));
        o.put("data_scale", p.getContext().getDataScale().name());
        o.put("benchmark", p.getOutcome().getBenchmark());
        o.put("metric", p.getOutcome().getMetric());
        o.put("baseline_score", p.getOutcome().getBaselineScore());
        o.put("outcome_score", p.getOutcome().getOutcomeScore());
        o.put("higher_is_better", p.getOutcome().getHigherIsBetter());
        o.put("method_type", p.getMethod().getMethodType());
        ObjectNode hp = o.putObject("hyperparams");
        p.getMethod().getHyperparams().forEach((k, v) -> {
            // Decoded Avro strings may be Utf8; numbers and booleans keep their JSON type.
            if (v instanceof Long l) {
                hp.put(k.toString(), l);
            } else if (v instanceof Double d) {
                hp.put(k.toString(), d);
            } else if (v instanceof Boolean b) {
                hp.put(k.toString(), b);
            } else {
                hp.put(k.toString(), String.valueOf(v));
            }
        });
        o.put("held_out_eval", p.getValidation().getHeldOutEval());
        o.put("n_eval_samples", p.getValidation().getNEvalSamples());
        o.put("confidence", p.getValidation().getConfidence());
        var informed = o.putArray("informed_by");
        p.getInformedBy().forEach(i -> informed.add(i.toString()));
        var sig = p.getSignature().duplicate();
        byte[] signature = new byte[sig.remaining()];
        sig.get(signature);
        o.put("signature", Base64.getEncoder().encodeToString(signature));
        return o;
    }

    public static String toLine(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }
}
