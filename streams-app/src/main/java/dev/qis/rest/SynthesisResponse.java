package dev.qis.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A synthesized recommendation: the method, its hyperparameters, the expected gain and the packets behind it
 * (what the caller cites in {@code informed_by}). {@code fingerprint} is set only for a fingerprint's synthesis.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SynthesisResponse(String domain, String fingerprint, String family, List<String> tags,
                                String methodType, Map<String, Object> hyperparams, double expectedGain,
                                int evidenceCount, int distinctNodes, List<String> packetIds) {
}
