package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SimulateCommandTest {
    @Test
    void helpListsTheSimulationFlags() {
        CliRun run = CliRun.of("simulate", "--help");
        assertEquals(0, run.exitCode(), run.toString());
        for (String flag : new String[] {"--nodes", "--domains", "--rounds", "--byzantine-share", "--sybil-keys",
            "--epsilon", "--seed", "--api", "--bootstrap-server", "--report-json", "--quiet",
            "--families", "--config-space"}) {
            assertTrue(run.out().contains(flag), flag);
        }
    }

    @Test
    void aBadShareIsAUsageErrorBeforeAnythingConnects() {
        CliRun run = CliRun.of("simulate", "--byzantine-share", "1.5", "-b", "127.0.0.1:1");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("--byzantine-share"), run.err());
    }

    @Test
    void badWorldOptionsAreUsageErrorsNamingTheFlag() {
        CliRun families = CliRun.of("simulate", "--families", "9", "-b", "127.0.0.1:1");
        assertEquals(2, families.exitCode(), families.toString());
        assertTrue(families.err().contains("--families"), families.err());
        CliRun space = CliRun.of("simulate", "--config-space", "huge", "-b", "127.0.0.1:1");
        assertEquals(2, space.exitCode(), space.toString());
        assertTrue(space.err().contains("--config-space"), space.err());
    }

    @Test
    void summarizingADirectoryWithoutRunsIsAUsageError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        CliRun run = CliRun.of("simulate", "--summarize-matrix", dir.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("no runs.tsv"), run.err());
    }

    @Test
    void aBadApiUrlIsAUsageError() {
        CliRun run = CliRun.of("simulate", "--api", "ftp://example", "-b", "127.0.0.1:1");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("--api"), run.err());
    }
}
