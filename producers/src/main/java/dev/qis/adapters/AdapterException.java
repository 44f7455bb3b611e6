package dev.qis.adapters;

/** Input an adapter cannot turn into packets: names where (file, line, result) and why. Nothing is sent. */
public class AdapterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AdapterException(String message) {
        super(message);
    }

    public AdapterException(String message, Throwable cause) {
        super(message, cause);
    }
}
