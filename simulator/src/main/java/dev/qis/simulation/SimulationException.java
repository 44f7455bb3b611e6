package dev.qis.simulation;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;

/**
 * A simulation that cannot go on: a bad setting ({@link Reason#INVALID_SETTING}), or a network that refused or
 * failed a call, with what and why ({@link Reason#SIMULATION_FAILED} unless a throw site names another reason).
 */
public final class SimulationException extends QisException {
    private static final long serialVersionUID = 1L;

    public SimulationException(String message) {
        this(Reason.SIMULATION_FAILED, message, null);
    }

    public SimulationException(String message, Throwable cause) {
        this(Reason.SIMULATION_FAILED, message, cause);
    }

    public SimulationException(Reason reason, String message) {
        this(reason, message, null);
    }

    public SimulationException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }

    @Override
    public int exitCode() {
        return EXIT_RUNTIME;
    }
}
