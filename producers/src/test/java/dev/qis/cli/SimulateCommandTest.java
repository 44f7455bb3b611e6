package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SimulateCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cli = QisCommand.commandLine(new QisCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsTheSimulationFlags() {
        assertEquals(0, run("simulate", "--help"));
        for (String flag : new String[] {"--nodes", "--domains", "--rounds", "--byzantine-share", "--sybil-keys",
            "--epsilon", "--seed", "--api", "--bootstrap-server", "--report-json", "--quiet"}) {
            assertTrue(out.toString().contains(flag), flag);
        }
    }

    @Test
    void aBadShareIsAUsageErrorBeforeAnythingConnects() {
        assertEquals(2, run("simulate", "--byzantine-share", "1.5", "-b", "127.0.0.1:1"));
        assertTrue(err.toString().contains("--byzantine-share"), err.toString());
    }

    @Test
    void aBadApiUrlIsAUsageError() {
        assertEquals(2, run("simulate", "--api", "ftp://example", "-b", "127.0.0.1:1"));
        assertTrue(err.toString().contains("--api"), err.toString());
    }
}
