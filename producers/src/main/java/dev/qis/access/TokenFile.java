package dev.qis.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A file of bearer tokens for the REST API, one a line ({@code #} comments and blank lines ignored), read again when
 * its modification time or size changes. The server accepts every token in it; a client, and an instance asking
 * another, sends the first. A token lives only in such a file, never in a properties file or on a command line,
 * where {@code ps} or a config dump would show it.
 *
 * <p>A token is 16 to 4096 visible ASCII characters without spaces (what an {@code Authorization: Bearer} header
 * can carry). A file that cannot be read, or holds no valid token, is refused when it is first read; when it turns
 * bad later the tokens read before stay in force and {@link #refresh()} says why.
 */
public final class TokenFile {
    /** The environment variable naming the file, for the server and every client alike. */
    public static final String ENV = "QIS_REST_AUTH_TOKEN_FILE";
    public static final int MIN_CHARS = 16;
    public static final int MAX_CHARS = 4096;

    /** Why a token file was refused; the message names the file and the line, never a token. */
    public static final class TokenFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TokenFileException(String message) {
            super(message);
        }
    }

    private final Path path;
    private volatile Snapshot current;

    private record Snapshot(FileTime modified, long size, List<String> tokens) {
    }

    private TokenFile(Path path, Snapshot first) {
        this.path = path;
        this.current = first;
    }

    /** Reads the file now; a missing, unreadable or empty one is a {@link TokenFileException}. */
    public static TokenFile read(Path path) {
        return new TokenFile(path, load(path));
    }

    /**
     * The token a client sends: the first of the file given, else of the file {@value #ENV} names, else none.
     *
     * @param given  a {@code --token-file} flag, if one was given
     * @param envVar the value of {@value #ENV} (null when unset)
     */
    public static Optional<String> clientToken(Path given, String envVar) {
        Path file = given != null ? given : envVar == null || envVar.isBlank() ? null : Path.of(envVar.strip());
        return file == null ? Optional.empty() : Optional.of(read(file).first());
    }

    public Path path() {
        return path;
    }

    /** Every token in force. */
    public List<String> tokens() {
        return current.tokens();
    }

    /** The first token in force: what this side sends. */
    public String first() {
        return current.tokens().get(0);
    }

    /**
     * Reads the file again if its modification time or size changed; returns why the new content was refused (the
     * old tokens stay in force), or empty when it was read or did not change.
     */
    public Optional<String> refresh() {
        Snapshot seen = current;
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            return Optional.of("cannot read the token file " + path + ": " + e.getClass().getSimpleName()
                    + "; the tokens read before stay in force");
        }
        if (attributes.lastModifiedTime().equals(seen.modified()) && attributes.size() == seen.size()) {
            return Optional.empty();
        }
        try {
            current = load(path);
            return Optional.empty();
        } catch (TokenFileException e) {
            current = new Snapshot(attributes.lastModifiedTime(), attributes.size(), seen.tokens());
            return Optional.of(e.getMessage() + "; the tokens read before stay in force");
        }
    }

    private static Snapshot load(Path path) {
        BasicFileAttributes attributes;
        List<String> lines;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TokenFileException("the token file " + path + " does not exist");
        } catch (IOException e) {
            throw new TokenFileException("cannot read the token file " + path + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String problem = problem(line);
            if (problem != null) {
                throw new TokenFileException("the token file " + path + " line " + (i + 1) + ": " + problem);
            }
            tokens.add(line);
        }
        if (tokens.isEmpty()) {
            throw new TokenFileException("the token file " + path + " holds no token (one a line)");
        }
        return new Snapshot(attributes.lastModifiedTime(), attributes.size(), List.copyOf(tokens));
    }

    /** Why a line is no token, or null; never repeats the line, which may be a token with a typo. */
    static String problem(String token) {
        if (token.length() < MIN_CHARS) {
            return "a token must have at least " + MIN_CHARS + " characters, this one has " + token.length()
                    + " (make one with: openssl rand -hex 32)";
        }
        if (token.length() > MAX_CHARS) {
            return "a token may have at most " + MAX_CHARS + " characters, this one has " + token.length();
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c > '~') {
                return "a token is visible ASCII without spaces; character " + (i + 1) + " is not";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "token file " + path + " (" + current.tokens().size() + " token(s))";
    }
}
