package dev.qis.simulation;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;

/**
 * A simulation that cannot go on: a bad flag or file (an input reason, exit 2), or a network that refused or failed a
 * call, with what and why ({@link Reason#SIMULATION_FAILED}, exit 1, unless a throw site names another reason).
 */
public final class SimulationException extends QisException {
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
}
