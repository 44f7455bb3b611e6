package dev.qis.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The address of a context: 16 hex of SHA-256 over {@code family|task|['tag', ...]}, tags sorted by code point.
 * Byte-compatible with the reference Python prototype ({@code str(sorted(tags))}).
 */
public record Fingerprint(String value) {
    public static final int LENGTH = 16;

    public Fingerprint {
        if (!Digests.isLowerHex(value, LENGTH)) {
            throw ProtocolException.invalid("fingerprint", "expected 16 lower-case hex characters, got '" + value + "'");
        }
    }

    public static Fingerprint of(String family, String task, Collection<String> tags) {
        String text = family + "|" + task + "|" + tagList(tags);
        return new Fingerprint(Digests.sha256Hex(text.getBytes(StandardCharsets.UTF_8), LENGTH));
    }

    public static Fingerprint parse(String value) {
        return new Fingerprint(value);
    }

    public static boolean isValid(String value) {
        return Digests.isLowerHex(value, LENGTH);
    }

    /** The first {@code chars} hex characters: the outcome topic suffix. */
    public String prefix(int chars) {
        return value.substring(0, chars);
    }

    /** Python's repr of a sorted list of str; tags are restricted to characters that need no escaping. */
    static String tagList(Collection<String> tags) {
        List<String> sorted = new ArrayList<>(tags);
        sorted.sort(String::compareTo);
        return sorted.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", ", "[", "]"));
    }

    @Override
    public String toString() {
        return value;
    }
}
