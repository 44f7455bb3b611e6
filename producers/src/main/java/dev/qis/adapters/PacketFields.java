package dev.qis.adapters;

import dev.qis.protocol.avro.Context;
import dev.qis.protocol.avro.DataScale;
import dev.qis.protocol.avro.Method;
import dev.qis.protocol.avro.Outcome;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.Validation;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of one packet as an input format or the command line supplies them; {@code null} means "not
 * given". Field names follow the Avro schema. Defaults: no tags, no hyperparameters, no citations,
 * {@code higher_is_better} and {@code held_out_eval} true; everything else is required.
 */
public record PacketFields(String baseModelFamily, String task, List<String> tags, DataScale dataScale,
                           String benchmark, String metric, Double baselineScore, Double outcomeScore,
                           Boolean higherIsBetter, String methodType, Map<String, Object> hyperparams,
                           Boolean heldOutEval, Integer nEvalSamples, Double confidence, List<String> informedBy) {

    public static final PacketFields NONE = new PacketFields(null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null);

    /** These fields, with every field {@code overrides} gives replacing ours (hyperparameters merge, theirs winning). */
    public PacketFields overriddenBy(PacketFields o) {
        Map<String, Object> hp = hyperparams;
        if (o.hyperparams != null) {
            hp = new LinkedHashMap<>(hyperparams == null ? Map.of() : hyperparams);
            hp.putAll(o.hyperparams);
        }
        return new PacketFields(or(o.baseModelFamily, baseModelFamily), or(o.task, task), or(o.tags, tags),
                or(o.dataScale, dataScale), or(o.benchmark, benchmark), or(o.metric, metric),
                or(o.baselineScore, baselineScore), or(o.outcomeScore, outcomeScore),
                or(o.higherIsBetter, higherIsBetter), or(o.methodType, methodType), hp,
                or(o.heldOutEval, heldOutEval), or(o.nEvalSamples, nEvalSamples), or(o.confidence, confidence),
                or(o.informedBy, informedBy));
    }

    /**
     * The unsigned packet. A missing required field is an {@link AdapterException} naming {@code source},
     * the field and, where there is one, the flag that supplies it; field values are checked when sealing.
     */
    public Draft toDraft(String source, Instant issuedAt) {
        OutcomePacket packet = OutcomePacket.newBuilder()
                .setPacketId("")
                .setNodeId("")
                .setIssuedAt(Instant.ofEpochMilli(issuedAt.toEpochMilli()))
                .setContext(Context.newBuilder()
                        .setBaseModelFamily(required(source, "base_model_family", "--family", baseModelFamily))
                        .setTask(required(source, "task", "--task", task))
                        .setTags(new ArrayList<>(tags == null ? List.of() : tags))
                        .setDataScale(required(source, "data_scale", "--data-scale", dataScale))
                        .build())
                .setOutcome(Outcome.newBuilder()
                        .setBenchmark(required(source, "benchmark", "--benchmark", benchmark))
                        .setMetric(required(source, "metric", "--metric", metric))
                        .setBaselineScore(required(source, "baseline_score", "--baseline", baselineScore))
                        .setOutcomeScore(required(source, "outcome_score", "--outcome", outcomeScore))
                        .setHigherIsBetter(higherIsBetter == null || higherIsBetter)
                        .build())
                .setMethod(Method.newBuilder()
                        .setMethodType(required(source, "method_type", "--method-type", methodType))
                        .setHyperparams(new LinkedHashMap<>(hyperparams == null ? Map.of() : hyperparams))
                        .build())
                .setValidation(Validation.newBuilder()
                        .setHeldOutEval(heldOutEval == null || heldOutEval)
                        .setNEvalSamples(required(source, "n_eval_samples", "--n-eval", nEvalSamples))
                        .setConfidence(required(source, "confidence", "--confidence", confidence))
                        .build())
                .setInformedBy(new ArrayList<>(informedBy == null ? List.of() : informedBy))
                .setSignature(ByteBuffer.allocate(0))
                .build();
        return new Draft(source, packet);
    }

    private static <T> T or(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    private static <T> T required(String source, String field, String flag, T value) {
        if (value == null) {
            throw new MissingFieldException(field, source + ": " + field + ": missing (not in the input; give " + flag + ")");
        }
        return value;
    }
}
