package dev.qis.adapters;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;

/** Input an adapter cannot turn into packets: names where (file, line, result) and why. Nothing is sent. */
public class AdapterException extends QisException {
    public AdapterException(Reason reason, String message) {
        super(reason, message, null);
    }

    public AdapterException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
