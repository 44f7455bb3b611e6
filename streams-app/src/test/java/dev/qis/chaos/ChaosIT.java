package dev.qis.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small run of the exactly-once harness: two {@code qis serve} instances, each a JVM of its own from this class
 * path, one killed with SIGKILL and started again while the generator publishes; afterwards every record must have
 * been delivered exactly once (the large run with a broker kill is in docs/reliability.md).
 */
// about 2-3 min on an idle two-core machine; a busy one (other builds, other harness runs) has needed 5.5
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ChaosIT {
    @TempDir
    Path work;

    @Test
    void everyRecordIsDeliveredOnceThroughAnAppKill() throws Exception {
        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        ChaosRun.Result result;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            ChaosRun.Settings settings = new ChaosRun.Settings(60, 3, 3, 1, 0, Duration.ofSeconds(5),
                    Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMinutes(2), kafka.bootstrapServers(),
                    work, Map.of(), null, 7, false, true);
            result = ChaosRun.run(settings, progress::add);
        }
        assertTrue(result.delivered(), () -> "differences: " + result.differences() + "\nprogress:\n"
                + String.join("\n", progress));
        assertEquals(1, progress.stream().filter(l -> l.startsWith("chaos: kill -9 qis serve")).count(),
                () -> "one kill: " + progress);
        assertTrue(result.figures().stream().anyMatch(f -> f.contains("forged or tampered dead-lettered once per committed input")),
                result.figures()::toString);
        assertTrue(result.figures().stream().anyMatch(f -> f.startsWith("fresh ingest: one instance on empty state agreed")),
                result.figures()::toString);
    }
}
