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
 * {@code lib/}, with every README example as written against the demo it starts. The commands that need no broker
 * (help, dry runs, bad input) are {@link LauncherOfflineIT}.
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
                r.assertWholeLines();
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
