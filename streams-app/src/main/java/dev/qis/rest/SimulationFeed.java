package dev.qis.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a simulator running beside this instance (in {@code qis demo}) has measured so far, for
 * {@code GET /v1/simulation} and the console's loop chart. Empty until a simulation starts; the simulator writes,
 * request threads read.
 */
public final class SimulationFeed {
    /** The state of a simulation as the API shows it. */
    public enum Status { RUNNING, FINISHED, FAILED }

    private SimulationResponse current;

    /** A simulation of this shape starts now; what an earlier one measured is dropped. */
    public synchronized void started(int rounds, int nodes, int domains, long seed) {
        current = new SimulationResponse(Status.RUNNING, rounds, nodes, domains, seed, null, List.of(), null);
    }

    /** How far the current round is: {@code done} of {@code total} steps in {@code phase}. */
    public synchronized void progress(int round, String phase, long done, long total) {
        if (current != null) {
            current = current.with(new SimulationResponse.Progress(round, phase, done, total));
        }
    }

    /** One round is over: what the loop and the baselines gained in it. */
    public synchronized void roundFinished(SimulationResponse.Round round) {
        if (current != null) {
            List<SimulationResponse.Round> results = new ArrayList<>(current.results());
            results.add(round);
            current = current.withResults(results);
        }
    }

    public synchronized void finished() {
        if (current != null) {
            current = current.withStatus(Status.FINISHED, null);
        }
    }

    public synchronized void failed(String reason) {
        if (current != null) {
            current = current.withStatus(Status.FAILED, reason);
        }
    }

    /** The simulation's state, or empty when none has started on this instance. */
    public synchronized Optional<SimulationResponse> snapshot() {
        return Optional.ofNullable(current);
    }
}
