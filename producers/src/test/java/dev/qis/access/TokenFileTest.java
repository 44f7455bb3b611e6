package dev.qis.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    private static final String A = "a".repeat(16) + "-first";
    private static final String B = "b".repeat(32);

    @TempDir
    Path dir;

    private Path file(String content) throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void readsOneTokenALineSkippingCommentsAndBlankLines() throws Exception {
        TokenFile tokens = TokenFile.read(file("# the deployment's tokens\n\n  " + A + "  \n" + B + "\n"));
        assertEquals(List.of(A, B), tokens.tokens());
        assertEquals(A, tokens.first());
    }

    @Test
    void aMissingEmptyOrBadFileIsRefusedWithAReasonThatNeverRepeatsTheLine() throws Exception {
        String missing = assertThrows(TokenFile.TokenFileException.class,
                () -> TokenFile.read(dir.resolve("nope"))).getMessage();
        assertTrue(missing.contains("does not exist"), missing);
        String empty = assertThrows(TokenFile.TokenFileException.class,
                () -> TokenFile.read(file("# nothing\n\n"))).getMessage();
        assertTrue(empty.contains("holds no token"), empty);
        String shortOne = assertThrows(TokenFile.TokenFileException.class,
                () -> TokenFile.read(file(A + "\nshort-secret\n"))).getMessage();
        assertTrue(shortOne.contains("line 2") && shortOne.contains("at least 16"), shortOne);
        assertFalse(shortOne.contains("short-secret"), shortOne);
        String spaced = assertThrows(TokenFile.TokenFileException.class,
                () -> TokenFile.read(file("abcdefgh ijklmnopqrst\n"))).getMessage();
        assertTrue(spaced.contains("character 9"), spaced);
        assertFalse(spaced.contains("abcdefgh"), spaced);
    }

    @Test
    void aChangedFileIsReadAgainAndABadChangeKeepsTheTokensBefore() throws Exception {
        Path f = file(A + "\n");
        TokenFile tokens = TokenFile.read(f);
        Files.writeString(f, B + "\n" + A + "\n");
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(Optional.empty(), tokens.refresh());
        assertEquals(List.of(B, A), tokens.tokens());

        Files.writeString(f, "too-short\n");
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(10)));
        Optional<String> refused = tokens.refresh();
        assertTrue(refused.isPresent() && refused.get().contains("stay in force"), refused.toString());
        assertEquals(List.of(B, A), tokens.tokens());
        assertEquals(Optional.empty(), tokens.refresh(), "the same bad content is reported once");

        Files.delete(f);
        assertTrue(tokens.refresh().orElse("").contains("cannot read"));
        assertEquals(List.of(B, A), tokens.tokens());
    }

    @Test
    void aClientSendsTheFirstTokenOfTheFlagsFileElseOfTheEnvironmentsElseNone() throws Exception {
        Path flag = file(A + "\n" + B + "\n");
        Path env = dir.resolve("env-tokens");
        Files.writeString(env, B + "\n");
        assertEquals(Optional.of(A), TokenFile.clientToken(flag, env.toString()));
        assertEquals(Optional.of(B), TokenFile.clientToken(null, env.toString()));
        assertEquals(Optional.empty(), TokenFile.clientToken(null, null));
        assertEquals(Optional.empty(), TokenFile.clientToken(null, " "));
        assertThrows(TokenFile.TokenFileException.class, () -> TokenFile.clientToken(dir.resolve("nope"), null));
    }
}
