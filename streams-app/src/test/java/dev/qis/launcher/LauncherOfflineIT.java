package dev.qis.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.launcher.Launcher.Result;
import dev.qis.launcher.ReadmeExamples.Example;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./qis} launcher on the packaged jar and its {@code lib/} where no broker is needed: every command's
 * whole help, every publish example of the README as a dry run, and the errors a user meets.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LauncherOfflineIT {
    private static final Path README = Launcher.ROOT.resolve("README.md");
    private static final Duration COMMAND = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @Test
    void everyPublishExampleRunsOfflineAsADryRun() {
        Launcher qis = new Launcher(work);
        int runs = 0;
        for (Example e : ReadmeExamples.read(README)) {
            if (!e.command().startsWith("./qis publish") || e.command().contains(" -b ")) {
                continue; // the -b example names a reader's cluster; it runs for real against the demo
            }
            Result r = qis.shell(e.command() + " --dry-run", COMMAND);
            assertEquals(0, r.exitCode(), e + "\n" + r);
            r.assertWholeLines();
            long packets = r.out().lines().filter(l -> l.contains("\"encoded_size\"") && l.contains("\"signature\"")).count();
            assertTrue(packets >= 1, "signed packets printed\n" + r);
            runs++;
        }
        assertTrue(runs >= 4, "flags, JSON lines, stdin, model cards and MLflow runs: " + runs);
    }

    @Test
    void everyCommandPrintsItsWholeHelp() throws Exception {
        Launcher qis = new Launcher(work);
        Result top = qis.run(COMMAND, "--help");
        assertEquals(0, top.exitCode(), top.toString());
        top.assertWholeLines();
        List<String> summaries = commandSummaries(top.out());
        assertTrue(summaries.size() >= 11, top.out());
        List<String> names = new ArrayList<>();
        for (String summary : summaries) {
            String name = summary.split(" ", 2)[0];
            assertTrue(summary.endsWith("."), "the summary of '" + name + "' stops mid-sentence: " + summary);
            if (!name.equals("help")) {
                names.add(name);
            }
        }
        // two at a time: each is a JVM of its own, and most of a run is that JVM starting
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Result>> helps = new ArrayList<>();
            for (String name : names) {
                helps.add(pool.submit(() -> qis.run(COMMAND, name, "--help")));
            }
            for (int i = 0; i < names.size(); i++) {
                Result r = helps.get(i).get();
                assertEquals(0, r.exitCode(), r.toString());
                r.assertWholeLines();
                assertTrue(r.out().startsWith("Usage: qis " + names.get(i)), r.toString());
                assertEquals("", r.err(), r.toString());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badInputExitsTwoWithItsReasonAndAnUnreachableBrokerExitsOne() {
        Launcher qis = new Launcher(work);
        Result unknown = qis.run(COMMAND, "frobnicate");
        assertEquals(2, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().startsWith("qis: INVALID_OPTION: ") && unknown.err().contains("frobnicate"),
                unknown.toString());

        Result scale = qis.run(COMMAND, "publish", "--dry-run", "--input", "examples/packets.jsonl", "--data-scale", "lots");
        assertEquals(2, scale.exitCode(), scale.toString());
        assertTrue(scale.err().contains("--data-scale") || scale.err().contains("data_scale"), scale.toString());
        assertTrue(scale.err().startsWith("qis: INVALID_OPTION: "), scale.toString());
        scale.assertWholeLines();

        Result nan = qis.shell("echo '{\"base_model_family\": \"llama-3-8b\", \"task\": \"qa\", \"data_scale\": 500, "
                + "\"benchmark\": \"b\", \"metric\": \"f1\", \"baseline_score\": 0.5, \"outcome_score\": \"NaN\", "
                + "\"method_type\": \"LoRA\", \"n_eval_samples\": 10, \"confidence\": 0.5}' | ./qis publish --dry-run --input -",
                COMMAND);
        assertEquals(2, nan.exitCode(), nan.toString());
        assertTrue(nan.err().contains("line 1") && nan.err().contains("outcome_score"), nan.toString());
        assertTrue(nan.err().contains("qis: INVALID_VALUE: stdin line 1: outcome_score"), nan.toString());
        assertEquals("", nan.out(), "nothing printed, nothing sent\n" + nan);

        Result keygen = qis.run(COMMAND, "keygen", "--out", work.resolve("node.pem").toString());
        assertEquals(0, keygen.exitCode(), keygen.toString());
        Result unreachable = qis.env("QIS_KEY_FILE", work.resolve("node.pem").toString())
                .run(COMMAND, "publish", "-b", "127.0.0.1:1", "--timeout", "3s", "--input", "examples/packets.jsonl");
        assertEquals(1, unreachable.exitCode(), unreachable.toString());
        assertTrue(unreachable.err().startsWith("qis: BROKER_TIMEOUT: "), unreachable.toString());
        unreachable.assertWholeLines();
        assertFalse(unreachable.err().contains("org.apache.kafka.clients"), "the app's words, not Kafka's\n" + unreachable);
    }

    /** The "Commands:" list of {@code qis --help}: each command's name and its summary, wrapped lines joined. */
    private static List<String> commandSummaries(String help) {
        List<String> out = new ArrayList<>();
        boolean inCommands = false;
        for (String line : help.lines().toList()) {
            if (line.startsWith("Commands:")) {
                inCommands = true;
            } else if (inCommands && line.isBlank()) {
                break;
            } else if (inCommands && line.matches("  \\S.*")) {
                out.add(line.strip().replaceAll("\\s+", " "));
            } else if (inCommands && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + line.strip());
            }
        }
        return out;
    }
}
