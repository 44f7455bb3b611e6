package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.access.TokenFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesANewTokenNeverPrintedToAPrivateFileAndNeverOverwritesOne() throws Exception {
        Path file = dir.resolve("sub/api-tokens");
        CliRun run = CliRun.of("token", "--out", file.toString());
        assertEquals(0, run.exitCode(), run.toString());
        List<String> tokens = TokenFile.read(file).tokens();
        assertEquals(1, tokens.size());
        assertTrue(tokens.get(0).matches("[0-9a-f]{64}"), "32 random bytes in hex");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse((run.out() + run.err()).contains(tokens.get(0)), "the token is never printed");
        assertEquals("", run.out());

        CliRun again = CliRun.of("token", "--out", file.toString());
        assertEquals(2, again.exitCode(), again.toString());
        assertTrue(again.err().contains("the file exists"), again.toString());
        assertEquals(tokens, TokenFile.read(file).tokens(), "untouched");
    }

    @Test
    void addPutsANewTokenFirstAndKeepsTheOthers() throws Exception {
        Path file = dir.resolve("api-tokens");
        assertEquals(0, CliRun.of("token", "--out", file.toString()).exitCode());
        String old = TokenFile.read(file).first();
        CliRun add = CliRun.of("token", "--add", "--out", file.toString());
        assertEquals(0, add.exitCode(), add.toString());
        List<String> tokens = TokenFile.read(file).tokens();
        assertEquals(2, tokens.size());
        assertNotEquals(old, tokens.get(0));
        assertEquals(old, tokens.get(1));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(add.err().contains("2 tokens"), add.toString());

        CliRun missing = CliRun.of("token", "--add", "--out", dir.resolve("nope").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("does not exist"), missing.toString());
    }
}
