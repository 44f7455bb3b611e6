package dev.qis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class QisAppTest {
    @Test
    void launcherKnowsTheProducerCommands() {
        StringWriter out = new StringWriter();
        var cli = QisApp.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("fingerprint", "-f", "llama-7b", "-t", "legal-clause-extraction-en-ch"));
        assertEquals("dae8b686abc90040", out.toString().strip());
    }

    @Test
    void noCommandIsAUsageError() {
        StringWriter err = new StringWriter();
        var cli = QisApp.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute());
        assertTrue(err.toString().contains("command is required"), err.toString());
    }
}
