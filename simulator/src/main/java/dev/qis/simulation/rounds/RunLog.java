package dev.qis.simulation.rounds;

/** Where the parts of a run report their progress and their warnings. */
interface RunLog {
    /** One more step of the run's total done, in {@code phase} of {@code round}. */
    void step(int round, String phase);

    void warn(String message);

    /** Warns unless the same message was given before. */
    void warnOnce(String message);
}
