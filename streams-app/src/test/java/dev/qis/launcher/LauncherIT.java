package dev.qis.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.qis.launcher.Launcher.Result;
import dev.qis.launcher.Launcher.Running;
import dev.qis.launcher.ReadmeExamples.Example;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What ships is what is tested: the {@code ./qis} launcher run as separate processes on the packaged jar and its
 * {@code lib/}, with every README example as written, every command's help, and the errors a user meets.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LauncherIT {
    private static final Path README = Launcher.ROOT.resolve("README.md");
    private static final Duration COMMAND = Duration.ofSeconds(90);
    private static final Pattern NODE_ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern RUNNING = Pattern.compile("QIS is running\\. Kafka: (\\S+)\\s+REST: (\\S+)");
    /** A console line of the app's own: a time, then the message (its own warnings say "warning:"). */
    private static final Pattern STORY_LINE = Pattern.compile("\\d\\d:\\d\\d:\\d\\d (warning: |error: )?\\S.*");
    private static final Pattern LOG_FILE = Pattern.compile("Kafka's own log lines: (\\S+)");
    /** The README's placeholders for a reader's own cluster, and what this test puts in their place. */
    private static final String PLACEHOLDER_BROKER = "broker-1:9093";
    private static final String PLACEHOLDER_CLIENT_CONFIG = " client.properties ";

    @TempDir
    Path work;

    @Test
    void everyReadmeExampleRunsAgainstTheDemoWhoseConsoleStaysQuiet() throws Exception {
        List<Example> examples = ReadmeExamples.read(README);
        assertTrue(examples.stream().anyMatch(e -> e.command().equals("./qis demo")), "the README runs ./qis demo");
        int port = freePort();
        Launcher qis = new Launcher(work).env("QIS_REST_PORT", Integer.toString(port));
        Running demo = qis.startInBackground("demo", "demo"); // the README's first command, as written
        Thread reaper = new Thread(() -> demo.process().destroyForcibly()); // should this JVM be stopped mid-test
        Runtime.getRuntime().addShutdownHook(reaper);
        String api;
        List<String> ran = new ArrayList<>();
        try {
            Matcher running = waitFor(() -> {
                Matcher m = RUNNING.matcher(demo.stdout());
                return m.find() ? m : null;
            }, Duration.ofMinutes(3), () -> "the demo did not say it is running:\n" + demo.stdout() + demo.stderr(), demo);
            api = running.group(2);
            Path clientConfig = work.resolve("client.properties");
            Files.writeString(clientConfig, "client.id=readme-example\n");
            qis.env("QIS_BOOTSTRAP_SERVERS", running.group(1)).env("QIS_API", api);

            for (Example e : examples) {
                if (e.command().equals("./qis demo")) {
                    continue; // running
                }
                if (e.export()) {
                    String[] nameValue = e.command().substring("export ".length()).split("=", 2);
                    qis.env(nameValue[0], nameValue[1].replaceFirst("^~", work.toString()));
                    continue;
                }
                String command = e.command().replace(PLACEHOLDER_BROKER, running.group(1))
                        .replace(PLACEHOLDER_CLIENT_CONFIG, " " + clientConfig + " ");
                if (command.contains(" subscribe ") || command.contains(" query ")) {
                    awaitRouted(api, "clinical-note-summarization");
                }
                Result r = qis.shell(command, COMMAND);
                assertEquals(0, r.exitCode(), e + "\n" + r);
                assertWholeLines(r);
                assertOutput(e, r);
                if (command.contains(" subscribe ")) {
                    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("{") && l.contains("\"packet_id\"")),
                            "the subscriber printed the routed packets\n" + r);
                }
                ran.add(command);
            }
        } finally {
            demo.process().destroy(); // SIGTERM, as Ctrl-C
            if (!demo.process().waitFor(90, TimeUnit.SECONDS)) {
                demo.process().destroyForcibly();
                fail("the demo did not stop within 90 s of SIGTERM\n" + demo.stderr());
            }
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
        assertTrue(ran.size() >= 12, "README examples run: " + ran);

        String console = demo.stderr();
        for (String line : console.lines().toList()) {
            if (!line.isBlank()) {
                assertTrue(STORY_LINE.matcher(line).matches(), "a console line that is not the app's own: '" + line
                        + "'\n" + console);
            }
            assertFalse(line.contains("org.apache.kafka") || line.contains(" WARN ") || line.contains(" ERROR ")
                    || line.contains("Exception"), "Kafka's internals on the console: '" + line + "'\n" + console);
        }
        Matcher logFile = LOG_FILE.matcher(console);
        assertTrue(logFile.find(), "the demo names its log file first\n" + console);
        String log = Files.readString(Path.of(logFile.group(1)), StandardCharsets.UTF_8);
        assertTrue(log.lines().anyMatch(l -> l.contains(" org.apache.kafka.") || l.contains(" kafka.")),
                "the log file holds Kafka's own lines");
        assertTrue(demo.stdout().contains("curl -s " + api + "/v1/domains"), demo.stdout());
    }

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
            assertWholeLines(r);
            long packets = r.out().lines().filter(l -> l.contains("\"encoded_size\"") && l.contains("\"signature\"")).count();
            assertTrue(packets >= 1, "signed packets printed\n" + r);
            runs++;
        }
        assertTrue(runs >= 4, "flags, JSON lines, stdin, model cards and MLflow runs: " + runs);
    }

    @Test
    void everyCommandPrintsItsWholeHelp() {
        Launcher qis = new Launcher(work);
        Result top = qis.run(COMMAND, "--help");
        assertEquals(0, top.exitCode(), top.toString());
        assertWholeLines(top);
        List<String> summaries = commandSummaries(top.out());
        assertTrue(summaries.size() >= 11, top.out());
        for (String summary : summaries) {
            String name = summary.split(" ", 2)[0];
            assertTrue(summary.endsWith("."), "the summary of '" + name + "' stops mid-sentence: " + summary);
            if (name.equals("help")) {
                continue;
            }
            Result r = qis.run(COMMAND, name, "--help");
            assertEquals(0, r.exitCode(), r.toString());
            assertWholeLines(r);
            assertTrue(r.out().startsWith("Usage: qis " + name), r.toString());
            assertEquals("", r.err(), r.toString());
        }
    }

    @Test
    void badInputExitsTwoWithItsReasonAndAnUnreachableBrokerExitsOne() {
        Launcher qis = new Launcher(work);
        Result unknown = qis.run(COMMAND, "frobnicate");
        assertEquals(2, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("frobnicate"), unknown.toString());

        Result scale = qis.run(COMMAND, "publish", "--dry-run", "--input", "examples/packets.jsonl", "--data-scale", "lots");
        assertEquals(2, scale.exitCode(), scale.toString());
        assertTrue(scale.err().contains("--data-scale") || scale.err().contains("data_scale"), scale.toString());
        assertWholeLines(scale);

        Result nan = qis.shell("echo '{\"base_model_family\": \"llama-3-8b\", \"task\": \"qa\", \"data_scale\": 500, "
                + "\"benchmark\": \"b\", \"metric\": \"f1\", \"baseline_score\": 0.5, \"outcome_score\": \"NaN\", "
                + "\"method_type\": \"LoRA\", \"n_eval_samples\": 10, \"confidence\": 0.5}' | ./qis publish --dry-run --input -",
                COMMAND);
        assertEquals(2, nan.exitCode(), nan.toString());
        assertTrue(nan.err().contains("line 1") && nan.err().contains("outcome_score"), nan.toString());
        assertEquals("", nan.out(), "nothing printed, nothing sent\n" + nan);

        Result keygen = qis.run(COMMAND, "keygen", "--out", work.resolve("node.pem").toString());
        assertEquals(0, keygen.exitCode(), keygen.toString());
        Result unreachable = qis.env("QIS_KEY_FILE", work.resolve("node.pem").toString())
                .run(COMMAND, "publish", "-b", "127.0.0.1:1", "--timeout", "3s", "--input", "examples/packets.jsonl");
        assertEquals(1, unreachable.exitCode(), unreachable.toString());
        assertTrue(unreachable.err().startsWith("qis: "), unreachable.toString());
        assertWholeLines(unreachable);
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

    /** Both streams end their last line: nothing the next output could run into. */
    private static void assertWholeLines(Result r) {
        assertTrue(r.out().isEmpty() || r.out().endsWith("\n"), "stdout ends mid-line\n" + r);
        assertTrue(r.err().isEmpty() || r.err().endsWith("\n"), "stderr ends mid-line\n" + r);
    }

    /** The README's shown output, line by line; a node id shown stands for any node id (keys are new each run). */
    private static void assertOutput(Example e, Result r) {
        if (e.expectedOutput().isEmpty()) {
            return;
        }
        List<String> actual = r.out().lines().toList();
        assertEquals(e.expectedOutput().size(), actual.size(), e + "\n" + r);
        for (int i = 0; i < actual.size(); i++) {
            String expected = e.expectedOutput().get(i);
            if (NODE_ID.matcher(expected).matches() && !e.command().contains("fingerprint")) {
                assertTrue(NODE_ID.matcher(actual.get(i)).matches(), e + "\n" + r);
            } else {
                assertEquals(expected, actual.get(i), e + "\n" + r);
            }
        }
    }

    private static void awaitRouted(String api, String domain) {
        HttpClient http = HttpClient.newHttpClient();
        waitFor(() -> {
            try {
                // the domain has a stored candidate: its packet was routed in the transaction before (a top-k lists
                // only packets others reproduced, which the README's examples do not publish)
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/domains/" + domain
                                + "/synthesis")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && r.body().contains("\"packet_ids\"") ? r.body() : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }, Duration.ofSeconds(60), () -> "no packet of " + domain + " routed within 60 s", null);
    }

    private static <T> T waitFor(Supplier<T> check, Duration timeout, Supplier<String> message, Running process) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            T value = check.get();
            if (value != null) {
                return value;
            }
            if (process != null && !process.process().isAlive()) {
                fail("the process ended (exit " + process.process().exitValue() + "): " + message.get());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        return fail(message.get());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
