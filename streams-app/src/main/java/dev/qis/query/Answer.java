package dev.qis.query;

/**
 * What a keyed query gives back: a value read here (and from which copy), the owner's answer passed on as it is, or
 * what the active copy says does not exist. Only an active copy answers {@link Missing}: a copy that may be behind
 * cannot tell that something does not exist.
 */
public sealed interface Answer<T> {
    /** Read from this instance's copy: {@code readFrom} is {@code active} or {@code standby}; {@code lag} a standby's. */
    record Found<T>(T value, String readFrom, Long lag) implements Answer<T> {
        public static <T> Found<T> of(T value) {
            return new Found<>(value, ACTIVE, null);
        }

        Found<T> from(String copy, Long recordsBehind) {
            return new Found<>(value, copy, recordsBehind);
        }
    }

    /** The active copy has no such thing; {@code detail} says what was asked for. */
    record Missing<T>(String detail) implements Answer<T> {
    }

    /** The instance that holds the key answered; its status, body and freshness headers go back unchanged. */
    record Passed<T>(PeerClient.PeerResponse response) implements Answer<T> {
    }

    String ACTIVE = "active";
    String STANDBY = "standby";
}
