package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FingerprintCommandTest {
    @Test
    void printsTheFingerprint() {
        CliRun run = CliRun.of("fingerprint", "--family", "llama-3-8b", "--task", "clinical-note-summarization",
                "--tag", "healthcare", "--tag", "SOAP-notes", "--tag", "en-US");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("8ff8bb6992657811", run.out().strip());
    }

    @Test
    void badTagIsAUsageErrorNamingTheField() {
        CliRun run = CliRun.of("fingerprint", "-f", "llama-3-8b", "-t", "qa", "--tag", "no spaces");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("tags"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void missingOptionIsAUsageError() {
        CliRun run = CliRun.of("fingerprint", "--family", "llama-3-8b");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--task"), run.err());
    }
}
