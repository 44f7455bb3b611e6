package dev.qis.cli;

import dev.qis.access.TokenFile;
import dev.qis.errors.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis token}: a new bearer token for the REST API, written to a token file and never printed. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Write a new random bearer token (32 bytes, hex) for the REST API to a token file (mode 600).",
            "The token is never printed. Give the file to qis serve / qis demo (--token-file, "
                    + "qis.rest.auth.token.file) and to the clients (--token-file, $" + TokenFile.ENV + ").",
            "With --add the new token goes first in an existing file and the others stay valid: rotate by adding, "
                    + "moving every client to the new file, then deleting the old line."})
public final class TokenCommand implements Callable<Integer> {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE",
            description = "the token file (a new one is never overwritten; see --add)")
    Path out;

    @Option(names = "--add", description = "put the new token first in the existing FILE, keeping its other tokens")
    boolean add;

    @Override
    public Integer call() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        int count;
        try {
            count = add ? prepend(token) : create(token);
        } catch (FileAlreadyExistsException e) {
            throw new InputException(Reason.FILE_EXISTS,
                    "--out " + out + ": the file exists; refusing to overwrite tokens (--add puts a "
                    + "new one first and keeps the others)", e);
        } catch (TokenFile.TokenFileException e) {
            throw new InputException(Reason.FILE_UNWRITABLE, "--out " + out + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InputException(Reason.FILE_UNWRITABLE, "--out " + out + ": cannot write: " + e.getMessage(), e);
        }
        spec.commandLine().getErr().println("wrote a new bearer token to " + out + " (" + count + " token"
                + (count == 1 ? "" : "s") + " in the file, mode 600)");
        return QisCommand.EXIT_OK;
    }

    private int create(String token) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        createPrivate(out);
        Files.writeString(out, token + "\n", StandardCharsets.US_ASCII);
        return 1;
    }

    /** Writes the new file beside the old one and moves it over, so a server reading it never sees half a file. */
    private int prepend(String token) throws IOException {
        List<String> tokens = new ArrayList<>(TokenFile.read(out).tokens());
        tokens.add(0, token);
        Path next = out.resolveSibling(out.getFileName() + ".new");
        Files.deleteIfExists(next);
        createPrivate(next);
        Files.writeString(next, String.join("\n", tokens) + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(next, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return tokens.size();
    }

    private static void createPrivate(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
    }
}
