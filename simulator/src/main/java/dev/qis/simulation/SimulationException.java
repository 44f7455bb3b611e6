package dev.qis.simulation;

/** A simulation that cannot go on: a bad setting, or a network that refused or failed a call (with what and why). */
public final class SimulationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SimulationException(String message) {
        super(message);
    }

    public SimulationException(String message, Throwable cause) {
        super(message, cause);
    }
}
