package dev.qis.config;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;

/** A configuration value that is missing or wrong, with the key and where the value came from: exit code 2. */
public final class ConfigException extends QisException {
    public ConfigException(Reason reason, String message) {
        super(reason, message, null);
    }
}
