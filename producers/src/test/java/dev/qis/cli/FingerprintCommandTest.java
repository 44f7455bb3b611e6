package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class FingerprintCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cli = QisCommand.commandLine(new QisCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void printsTheFingerprint() {
        assertEquals(0, run("fingerprint", "--family", "llama-3-8b", "--task", "clinical-note-summarization",
                "--tag", "healthcare", "--tag", "SOAP-notes", "--tag", "en-US"));
        assertEquals("8ff8bb6992657811", out.toString().strip());
    }

    @Test
    void badTagIsAUsageErrorNamingTheField() {
        assertEquals(2, run("fingerprint", "-f", "llama-3-8b", "-t", "qa", "--tag", "no spaces"));
        assertTrue(err.toString().contains("tags"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void missingOptionIsAUsageError() {
        assertEquals(2, run("fingerprint", "--family", "llama-3-8b"));
        assertTrue(err.toString().contains("--task"), err.toString());
    }
}
