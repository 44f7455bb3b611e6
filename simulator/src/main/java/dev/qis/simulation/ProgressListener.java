package dev.qis.simulation;

/** Hears how a simulation advances: for a progress bar, a log, or nothing. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() { };

    /** {@code done} of {@code total} steps (node runs plus waits) finished, in the named phase of the round. */
    default void progress(int round, int rounds, long done, long total, String phase) {
    }

    default void roundFinished(SimulationReport.RoundResult result, int rounds) {
    }

    default void warning(String message) {
    }

    default void finished(SimulationReport report) {
    }
}
