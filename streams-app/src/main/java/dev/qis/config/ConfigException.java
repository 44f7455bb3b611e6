package dev.qis.config;

/** A configuration value that is missing or wrong, with the key and where the value came from. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
