package dev.qis.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.launcher.Launcher.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./qis bench --quick} through the launcher, as CI runs it: every figure is in the table and the JSON, and
 * every count adds up. Timings are the benchmark's output, never asserted here.
 */
@Tag("integration")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class BenchCommandIT {
    private static final int PACKETS = 2_000;
    private static final int VOTES = 200;
    private static final int NODES = 50;
    private static final int QUERIES = 50;
    private static final int FRESH = 300; // 100 packets/s for 3 s

    @TempDir
    Path work;

    @Test
    void quickRunFillsTheTableAndTheJsonWithCountsThatAddUp() throws Exception {
        Path json = work.resolve("bench.json");
        Path cache = work.resolve("cache");
        Result r = new Launcher(work).run(Duration.ofMinutes(5), "bench", "--quick", "--json", json.toString(),
                "--cache-dir", cache.toString(), "--instances", "1,2");
        assertEquals(0, r.exitCode(), r.toString());
        for (String figure : List.of("raw anchor", "verification limit", "app end to end", "freshness at 100/s",
                "top, 1 client", "top, 8 clients", "domain synthesis, 1 client", "domain synthesis, 8 clients",
                "fingerprint synthesis, 1 client", "fingerprint synthesis, 8 clients", "heap used", "state dir")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(figure)), "no '" + figure + "' row\n" + r);
        }
        assertTrue(r.err().contains("stored and scored"), "a progress line on stderr\n" + r);
        try (Stream<Path> cached = Files.list(cache)) {
            assertEquals(1, cached.filter(p -> p.getFileName().toString().endsWith(".bin")).count(),
                    "the signed data is cached for the next run");
        }

        JsonNode figures = new ObjectMapper().readTree(json.toFile());
        assertEquals(PACKETS, figures.at("/params/packets").asInt());
        assertEquals(VOTES, figures.at("/params/votes").asInt());
        assertEquals(NODES + PACKETS + VOTES, figures.at("/load/records").asInt());
        assertEquals(PACKETS + VOTES, figures.at("/raw_consumer/records").asInt());
        assertEquals(PACKETS + VOTES, figures.at("/verification_limit/records").asInt());
        assertEquals(PACKETS + VOTES, figures.at("/verification_limit/verified").asInt(),
                "every generated record verifies");
        assertEquals(PACKETS, figures.at("/end_to_end/packets_stored").asInt(), "the stored counter counts each once");
        JsonNode scaleOut = figures.get("scale_out");
        assertEquals(2, scaleOut.size(), "one end-to-end run per count of --instances\n" + scaleOut);
        for (int i = 0; i < 2; i++) {
            assertEquals(i + 1, scaleOut.get(i).get("instances").asInt(), scaleOut.toString());
            // two instances of one application: every packet stored once, or again after a task moved mid-commit
            assertTrue(scaleOut.get(i).get("packets_stored").asInt() >= PACKETS, scaleOut.toString());
            assertTrue(scaleOut.get(i).get("packets_per_cpu_s").asDouble() > 0, scaleOut.toString());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("app end to end: stored and scored, 2 instances")),
                "a row per count\n" + r);
        assertEquals(FRESH, figures.at("/freshness/sent").asInt());
        assertEquals(FRESH, figures.at("/freshness/samples").asInt());
        assertEquals(FRESH, figures.at("/freshness/answered").asInt(), "every fresh packet became readable");
        assertEquals(PACKETS + FRESH, figures.at("/naive_router_packets").asInt());

        JsonNode queries = figures.get("queries");
        assertEquals(6, queries.size());
        Set<String> seen = new HashSet<>();
        for (JsonNode q : queries) {
            seen.add(q.get("kind").asText() + "/" + q.get("clients").asInt());
            for (String router : List.of("app", "naive")) {
                assertEquals(QUERIES, q.at("/" + router + "/count").asInt(), q.toString());
                assertEquals(0, q.at("/" + router + "/failed").asInt(), q.toString());
                assertTrue(q.at("/" + router + "/p99_ms").asDouble() >= q.at("/" + router + "/p50_ms").asDouble(),
                        q.toString());
            }
            int answered = 0;
            for (JsonNode count : q.get("app_statuses")) {
                answered += count.asInt();
            }
            assertEquals(QUERIES, answered, "every timed query has its status\n" + q);
        }
        assertEquals(Set.of("top/1", "top/8", "domain synthesis/1", "domain synthesis/8", "fingerprint synthesis/1",
                "fingerprint synthesis/8"), seen);
        assertTrue(figures.at("/resources/heap_used_bytes").asLong() > 0);
        assertTrue(figures.at("/resources/rss_bytes").asLong() > 0);
        assertTrue(figures.at("/resources/state_dir_bytes").asLong() > 0);
    }

    @Test
    void badCountsExitTwoWithTheReason() {
        Result r = new Launcher(work).run(Duration.ofSeconds(60), "bench", "--packets", "0");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--packets must be 1 to 1000000"), r.toString());
        Result api = new Launcher(work).run(Duration.ofSeconds(60), "bench", "--api", "http://localhost:1");
        assertEquals(2, api.exitCode(), api.toString());
        assertTrue(api.err().contains("--api needs -b"), api.toString());
        Result instances = new Launcher(work).run(Duration.ofSeconds(60), "bench", "--instances", "1,9");
        assertEquals(2, instances.exitCode(), instances.toString());
        assertTrue(instances.err().contains("--instances must list counts of 1 to 4, got [1, 9]"),
                instances.toString());
    }
}
