package dev.qis.simulation.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.cli.QisCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SimulateCommandTest {
    /** Runs {@code qis} with this module's command added, as the launcher adds it, and keeps what it printed. */
    private record CliRun(int exitCode, String out, String err) {
        static CliRun of(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cli = QisCommand.commandLine(new QisCommand()).addSubcommand(new SimulateCommand());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            return new CliRun(cli.execute(args), out.toString(), err.toString());
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

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
