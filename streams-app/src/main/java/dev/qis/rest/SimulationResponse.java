package dev.qis.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code GET /v1/simulation}: the simulator beside this instance, round by round. Each round's gains are mean true
 * gains per honest run: with the loop (the synthesized recommendation), naive averaging of the evidence, a random
 * configuration (no coordination) and the oracle (the true best).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SimulationResponse(SimulationFeed.Status status, int rounds, int nodes, int domains, long seed,
                                 Progress progress, List<Round> results, String failure) {
    public SimulationResponse {
        results = List.copyOf(results);
    }

    /** The round under way: {@code done} of {@code total} steps of {@code phase}. */
    public record Progress(int round, String phase, long done, long total) {
    }

    /** One finished round. */
    public record Round(int round, int honestRuns, double loopGain, double naiveGain, double randomGain,
                        double oracleGain, long packetsStored, double byzantineTopShare) {
    }

    SimulationResponse with(Progress p) {
        return new SimulationResponse(status, rounds, nodes, domains, seed, p, results, failure);
    }

    SimulationResponse withResults(List<Round> r) {
        return new SimulationResponse(status, rounds, nodes, domains, seed, progress, r, failure);
    }

    SimulationResponse withStatus(SimulationFeed.Status s, String reason) {
        return new SimulationResponse(s, rounds, nodes, domains, seed, progress, results, reason);
    }
}
