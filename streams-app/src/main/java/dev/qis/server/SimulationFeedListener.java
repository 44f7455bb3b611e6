package dev.qis.server;

import dev.qis.rest.SimulationFeed;
import dev.qis.rest.SimulationResponse;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationReport;

/** Passes a simulation's progress to {@code GET /v1/simulation} (the console's loop chart), then to {@code next}. */
public final class SimulationFeedListener implements ProgressListener {
    private final SimulationFeed feed;
    private final ProgressListener next;

    /** Marks a simulation of this shape as started on the feed. */
    public SimulationFeedListener(SimulationFeed feed, SimulationConfig simulation, ProgressListener next) {
        this.feed = feed;
        this.next = next;
        feed.started(simulation.rounds(), simulation.nodes(), simulation.domains(), simulation.seed());
    }

    @Override
    public void progress(int round, int rounds, long done, long total, String phase) {
        feed.progress(round, phase, done, total);
        next.progress(round, rounds, done, total, phase);
    }

    @Override
    public void roundFinished(SimulationReport.RoundResult r, int rounds) {
        feed.roundFinished(new SimulationResponse.Round(r.round(), r.honestRuns(), r.loopGain(), r.naiveGain(),
                r.noCoordinationGain(), r.oracleGain(), r.packetsStored(), r.byzantineTopShare()));
        next.roundFinished(r, rounds);
    }

    @Override
    public void warning(String message) {
        next.warning(message);
    }

    @Override
    public void finished(SimulationReport report) {
        feed.finished();
        next.finished(report);
    }

    /** The simulation stopped before its end. */
    public void failed(String reason) {
        feed.failed(reason);
    }
}
