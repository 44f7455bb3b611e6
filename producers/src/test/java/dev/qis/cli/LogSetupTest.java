package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogSetupTest {
    @Test
    void theFlagWinsOverTheEnvironment() {
        assertEquals(Path.of("/var/log/qis.log"), LogSetup.chooseFile(new String[] {"serve", "--log-file", "/var/log/qis.log"},
                Map.of(LogSetup.ENV_LOG_FILE, "/tmp/other.log")));
        assertEquals(Path.of("/var/log/qis.log"), LogSetup.chooseFile(new String[] {"demo", "--log-file=/var/log/qis.log"},
                Map.of()));
        assertEquals(Path.of("/tmp/other.log"), LogSetup.chooseFile(new String[] {"serve"},
                Map.of(LogSetup.ENV_LOG_FILE, "/tmp/other.log")));
    }

    @Test
    void byDefaultOneFilePerCommandAndProcessInTheTemporaryDirectory() {
        Path file = LogSetup.chooseFile(new String[] {"--verbose", "demo", "--port", "9000"}, Map.of());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "qis-logs"), file.getParent());
        assertTrue(file.getFileName().toString().matches("demo-\\d+\\.log"), file.toString());
    }

    @Test
    void shortCommandsShareOneFilePerCommand() {
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "qis-logs", "publish.log"),
                LogSetup.chooseFile(new String[] {"publish", "--input", "x.jsonl"}, Map.of()));
    }

    @Test
    void argumentsAfterADoubleDashAreNotOptions() {
        Path file = LogSetup.chooseFile(new String[] {"serve", "--", "--log-file", "x"}, Map.of());
        assertTrue(file.getFileName().toString().matches("serve-\\d+\\.log"), file.toString());
    }
}
