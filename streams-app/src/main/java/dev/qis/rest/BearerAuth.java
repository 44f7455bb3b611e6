package dev.qis.rest;

import dev.qis.access.TokenFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's bearer-token check: a request to any route but the open ones must carry {@code Authorization: Bearer
 * <token>} with a token of the token file. The file is read again when it changes (checked at most once a second),
 * so a token is rotated by adding the new one, moving every client to it, then removing the old one.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, every token every time, so neither
 * a token's length nor how much of it a guess got right shows in the answer's timing. A token is never logged nor
 * repeated in an answer.
 */
public final class BearerAuth {
    private static final Logger LOG = LoggerFactory.getLogger(BearerAuth.class);
    /** Routes that answer without a token: the probes and the console's own files (its API calls send the token). */
    public static final Set<String> ALWAYS_OPEN = Set.of("/health/live", "/health/ready", "/", "/ui/{asset}");
    static final String METRICS = "/metrics";
    static final String REALM = "qis";
    private static final long RECHECK_NANOS = 1_000_000_000L;
    private static final String SCHEME = "bearer ";

    /** Why a request was refused; {@code ACCEPTED} when it was not. */
    public enum Outcome { ACCEPTED, MISSING, INVALID }

    private final TokenFile file;
    private final Set<String> open;
    private volatile List<byte[]> digests;
    private volatile List<String> digested;
    private volatile long checkedAt;

    /**
     * @param metricsOpen whether {@code /metrics} answers without a token (for a scraper that has no token)
     */
    public BearerAuth(TokenFile file, boolean metricsOpen) {
        this.file = file;
        this.open = metricsOpen ? union(ALWAYS_OPEN, METRICS) : ALWAYS_OPEN;
        this.digested = file.tokens();
        this.digests = digests(digested);
        this.checkedAt = System.nanoTime();
    }

    private static Set<String> union(Set<String> a, String b) {
        Set<String> out = new java.util.HashSet<>(a);
        out.add(b);
        return Set.copyOf(out);
    }

    /** Whether a route (by its template) answers without a token. */
    public boolean isOpen(String template) {
        return open.contains(template);
    }

    /** The file the tokens are read from (its name may be shown; its content never is). */
    public java.nio.file.Path tokenFile() {
        return file.path();
    }

    public boolean metricsOpen() {
        return open.contains(METRICS);
    }

    /** The token this instance sends when it forwards a query to another (they share the token file). */
    public String ownToken() {
        refreshIfDue();
        return file.first();
    }

    /** Checks an {@code Authorization} header's value (null when the request had none). */
    public Outcome check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Outcome.MISSING;
        }
        if (authorization.length() <= SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return Outcome.INVALID;
        }
        refreshIfDue();
        byte[] given = sha256(authorization.substring(SCHEME.length()).strip());
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, given); // no early exit: every token is compared every time
        }
        return match ? Outcome.ACCEPTED : Outcome.INVALID;
    }

    /** Passes an accepted request; refuses any other with a 401 problem carrying the reason and the challenge. */
    public void require(String authorization) {
        switch (check(authorization)) {
            case ACCEPTED -> {
            }
            case MISSING -> throw ProblemException.unauthorized("missing", "this endpoint needs a bearer token: send "
                    + "Authorization: Bearer <token>", "Bearer realm=\"" + REALM + "\"");
            case INVALID -> throw ProblemException.unauthorized("invalid", "the Authorization header does not carry a "
                    + "valid bearer token", "Bearer realm=\"" + REALM + "\", error=\"invalid_token\"");
        }
    }

    private void refreshIfDue() {
        long now = System.nanoTime();
        if (now - checkedAt < RECHECK_NANOS) {
            return;
        }
        synchronized (this) {
            if (now - checkedAt < RECHECK_NANOS) {
                return;
            }
            checkedAt = now;
            file.refresh().ifPresent(problem -> LOG.warn("{}", problem));
            List<String> tokens = file.tokens();
            if (tokens != digested) {
                digests = digests(tokens);
                digested = tokens;
                LOG.info("read {} again: {} token(s) in force", file.path(), tokens.size());
            }
        }
    }

    private static List<byte[]> digests(List<String> tokens) {
        List<byte[]> out = new ArrayList<>(tokens.size());
        tokens.forEach(t -> out.add(sha256(t)));
        return List.copyOf(out);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "bearer tokens from " + file + (metricsOpen() ? ", /metrics open" : "");
    }
}
