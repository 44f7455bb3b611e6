package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.SignedPacket;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import dev.qis.publish.TopicLayout;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.network.KafkaHttpNetwork;
import dev.qis.simulation.rounds.EcosystemSimulator;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (headless Chromium driven through chromedriver) against the app on a real
 * broker in the JVM, with packets whose answers are known: each page shows what the API answers, a new packet
 * appears without a reload, and a 503 while an instance rebalances is shown as such. Screenshots of every page go
 * to {@code target/console-screenshots/}. Skipped, with one line, where Chromium or chromedriver is not installed.
 * The tests run in any order: the known packets are published once and only read; a test that writes publishes to
 * a domain of its own, simulates under its own prefix, or starts an instance of its own and waits for the app to
 * settle again before it ends.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.Random.class) // each test reads the known packets and writes only its own data
@Timeout(120)
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Paths.get(System.getProperty("qis.test.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Paths.get(System.getProperty("qis.test.chromedriver",
            "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Paths.get("target", "console-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant ISSUED = Instant.now().minus(Duration.ofHours(1));
    private static final String CLINICAL = "clinical-note-summarization";
    private static final String LEGAL = "legal-clause-extraction";
    private static final String LATE = "radiology-report-qa";
    private static final int PARTITIONS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path stateDirs;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String applicationId = "qis-console-it-" + UUID.randomUUID();
    private final NodeIdentity alice = NodeIdentity.generate();
    private final NodeIdentity bob = NodeIdentity.generate();
    private final NodeIdentity carol = NodeIdentity.generate();
    private final NodeIdentity voter = NodeIdentity.generate();

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();
    private QisServer app;
    private QisPublisher publisher;
    private ChromeDriverService driverService;
    private WebDriver browser;
    private SignedPacket voted;
    private SignedPacket refuted;

    @BeforeAll
    void start() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed) {
            System.err.println("ConsoleBrowserIT skipped: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing "
                    + "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        Assumptions.assumeTrue(installed, "Chromium and chromedriver are not installed");
        Files.createDirectories(SCREENSHOTS);
        app = QisServer.start(config("a"), Clock.systemUTC());
        assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "the app reached RUNNING");
        publisher = QisPublisher.open(PublisherSettings.forBootstrap(kafka.bootstrapServers())
                .withLayout(new TopicLayout(PARTITIONS, (short) 1, 1)));
        publishKnownPackets();
        awaitKnownPackets();

        driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()) // given, so Selenium never looks for or downloads one
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1366,900",
                "--user-data-dir=" + Files.createTempDirectory(stateDirs, "chromium-profile"));
        browser = new ChromeDriver(driverService, options);
    }

    /**
     * Before each test, the app answers with every known packet counted: the same start whatever ran before (a test
     * that started a second instance leaves a rebalance behind it).
     */
    @BeforeEach
    void awaitKnownPackets() throws InterruptedException {
        assertTrue(app.awaitRunning(WAIT), "the app is RUNNING");
        waitForApi("/v1/domains", d -> d.findValues("domain").stream().anyMatch(n -> n.asText().equals(LEGAL))
                && packetsOf(d, CLINICAL) == 6, "both known domains and all seven packets");
        waitForApi("/v1/domains/" + CLINICAL + "/top?k=10", t -> t.path("entries").size() == 4,
                "the four reproduced packets listed");
        waitForApi("/v1/packets/" + refuted.id(), p -> p.path("elections").path("failures").asLong() == 1,
                "the refutation counted");
        for (Map.Entry<NodeIdentity, Integer> author : Map.of(alice, 2, bob, 1, carol, 2).entrySet()) { // trust settled
            waitForApi("/v1/nodes/" + author.getKey().nodeId(), n -> n.path("successes").asLong()
                    + n.path("failures").asLong() == author.getValue(), "the reports on " + author.getKey().nodeId());
        }
    }

    private static long packetsOf(JsonNode domains, String domain) {
        for (JsonNode d : domains.path("domains")) {
            if (d.path("domain").asText().equals(domain)) {
                return d.path("packets").asLong();
            }
        }
        return 0;
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (driverService != null) {
            driverService.stop();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private QisConfig config(String name) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(QisConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        flags.put(QisConfig.APPLICATION_ID, applicationId);
        flags.put(QisConfig.REST_PORT, "0"); // any free port
        flags.put(QisConfig.REST_BIND, "127.0.0.1");
        flags.put(QisConfig.STATE_DIR, stateDirs.resolve(name).toString());
        flags.put(QisConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
        flags.put(QisConfig.TOPIC_REPLICATION, "1");
        flags.put("session.timeout.ms", "10000");
        flags.put("heartbeat.interval.ms", "1000");
        return QisConfig.load(Optional.empty(), Map.of(), flags);
    }

    private static OutcomePacketBuilder packet(String family, String task, double baseline, double outcome,
                                               String method, long rank) {
        return Packets.packet(family, task, baseline, outcome).methodType(method).hyperparam("r", rank)
                .issuedAt(ISSUED);
    }

    /**
     * Five packets in the clinical domain; the voter reproduces four of them and refutes the fifth, and backs its
     * reports with a run of its own citing all five (only backed reports count), so the top-k lists exactly the four.
     */
    private void publishKnownPackets() {
        publisher.register(List.of(alice, bob, carol, voter));
        voted = packet("llama-3-8b", CLINICAL, 60, 66, "LoRA", 16).sign(alice);
        SignedPacket qlora = packet("llama-3-8b", CLINICAL, 60, 70, "QLoRA", 8).sign(bob);
        SignedPacket mistral = packet("mistral-7b", CLINICAL, 50, 54, "LoRA", 32).sign(carol);
        SignedPacket small = packet("llama-3-8b", CLINICAL, 60, 63, "LoRA", 4).sign(carol);
        refuted = packet("llama-3-8b", CLINICAL, 60, 61.5, "full", 0).sign(alice);
        publisher.publish(List.of(voted, qlora, mistral, small, refuted,
                packet("llama-7b", LEGAL, 70, 75, "full", 0).sign(alice)));
        Map<SignedPacket, Double> observed = new LinkedHashMap<>();
        observed.put(voted, 65.5);
        observed.put(qlora, 69.0);
        observed.put(mistral, 53.5);
        observed.put(small, 62.5);
        observed.put(refuted, 59.0); // below the baseline: refutes the claimed gain
        observed.forEach((p, score) -> publisher.publishVote(
                Packets.vote(p.id(), score, 300, ISSUED.plusSeconds(60), voter)));
        publisher.publish(List.of(packet("llama-3-8b", CLINICAL, 60, 64, "LoRA", 8)
                .informedBy(observed.keySet().stream().map(SignedPacket::id).toList())
                .issuedAt(ISSUED.plusSeconds(120)).sign(voter)));
    }

    // ---- the pages -------------------------------------------------------------------------------------------------

    @Test
    void theDomainListShowsEveryDomainWithItsCounts() throws Exception {
        JsonNode api = api(app, "/v1/domains"); // the known domains, and those other tests added, if they ran first
        browser.get(base(app) + "/");
        List<WebElement> rows = waitFor(By.cssSelector("#domains tbody tr"), api.path("domains").size());
        Map<String, String> shown = new LinkedHashMap<>();
        for (WebElement row : rows) {
            shown.put(row.getAttribute("data-domain"), row.findElement(By.cssSelector("[data-field=packets]")).getText());
        }
        Map<String, String> answered = new LinkedHashMap<>();
        for (JsonNode d : api.path("domains")) {
            answered.put(d.path("domain").asText(), d.path("packets").asText());
        }
        assertEquals(new java.util.TreeMap<>(answered), new java.util.TreeMap<>(shown));
        List<Long> counts = shown.values().stream().map(Long::parseLong).toList();
        assertEquals(counts.stream().sorted(java.util.Comparator.reverseOrder()).toList(), counts,
                "sorted by packets, most first");
        List<String> order = new ArrayList<>(shown.keySet());
        assertTrue(order.indexOf(CLINICAL) >= 0 && order.indexOf(CLINICAL) < order.indexOf(LEGAL),
                "six packets before one: " + order);

        browser.findElement(By.id("domain-filter")).sendKeys("legal");
        waitUntil(b -> b.findElements(By.cssSelector("#domains tbody tr")).size() == 1, "the filter leaves one row");
        assertEquals(LEGAL, browser.findElement(By.cssSelector("#domains tbody tr")).getAttribute("data-domain"));
        browser.findElement(By.id("domain-filter")).clear();
        browser.findElement(By.id("domain-filter")).sendKeys(" ");
        waitFor(By.cssSelector("#domains tbody tr"), rows.size());
        screenshot("domains");
    }

    @Test
    void aClickOpensTheDomainWithTheTopKInTheApiOrderAndItsBreakdown() throws Exception {
        browser.get(base(app) + "/#/domains");
        waitFor(By.cssSelector("#domains tbody tr"), 2);
        click(By.linkText(CLINICAL));
        waitFor(By.cssSelector("#top-table tbody tr"), 4);
        // the page redraws every refresh (decay moves), so each part of it is read in one script, never row by row
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#top-table tbody tr')).map(function (tr) {"
                + " var o = {}; Array.from(tr.attributes).forEach(function (a) { o[a.name] = a.value; });"
                + " o.parts = Array.from(tr.querySelectorAll('svg.gains [data-part]'))"
                + "   .map(function (p) { return p.getAttribute('data-part'); }).sort();"
                + " o.width = tr.querySelector('svg.gains [data-part=expected]').getAttribute('width');"
                + " return o; });");
        JsonNode top = api(app, "/v1/domains/" + CLINICAL + "/top?k=10").path("entries");
        assertEquals(top.size(), rows.size(), "one row per entry");
        List<Double> pixelsPerGain = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = rows.get(i);
            JsonNode entry = top.get(i);
            assertEquals(entry.path("packet_id").asText(), row.get("data-packet"), "rank " + (i + 1));
            for (String field : List.of("gain", "expected_gain", "expected_gain_low", "expected_gain_high", "curate",
                    "trust", "successes", "failures")) {
                assertEquals(entry.path(field).asDouble(), Double.parseDouble((String) row.get("data-" + field)),
                        field + " of rank " + (i + 1));
            }
            for (String timed : List.of("decay", "fidelity")) { // decay moves with the clock between the two reads
                assertEquals(entry.path(timed).asDouble(), Double.parseDouble((String) row.get("data-" + timed)),
                        entry.path(timed).asDouble() * 1e-4, timed + " of rank " + (i + 1));
            }
            assertEquals(List.of("claim", "expected", "interval"), row.get("parts"),
                    "the chart draws claim, expected, interval");
            assertTrue(entry.path("expected_gain").asDouble() > 0, "a listed packet has a positive expected gain");
            pixelsPerGain.add(Double.parseDouble((String) row.get("width")) / entry.path("expected_gain").asDouble());
        }
        for (double scale : pixelsPerGain) { // one linear scale: each bar's length is its expected gain
            assertEquals(pixelsPerGain.get(0), scale, pixelsPerGain.get(0) * 0.01, "bars on one linear scale");
        }
        assertFalse(top.findValues("packet_id").stream().anyMatch(id -> id.asText().equals(refuted.id())),
                "the refuted packet is not listed");

        JsonNode synthesis = api(app, "/v1/domains/" + CLINICAL + "/synthesis");
        JsonNode evidence = synthesis.path("evidence");
        assertTrue(evidence.size() > 0, "the recommendation rests on evidence");
        waitFor(By.cssSelector("#synthesis .evidence li"), Math.min(8, evidence.size()));
        @SuppressWarnings("unchecked")
        Map<String, Object> shown = (Map<String, Object>) ((JavascriptExecutor) browser).executeScript(
                "function text(css) { var e = document.querySelector(css); return e ? e.textContent : null; }"
                + " return { method: text('#synthesis-facts [data-field=method_type]'),"
                + "  expected: text('#synthesis-facts [data-field=expected_gain]'),"
                + "  interval: text('#synthesis-facts [data-field=interval]'),"
                + "  exploration: text('#exploration [data-field=method_type]'),"
                + "  evidence: Array.from(document.querySelectorAll('#synthesis .evidence li')).map(function (li) {"
                + "   return [li.getAttribute('data-packet'), li.getAttribute('data-weight')]; }) };");
        assertEquals(synthesis.path("method_type").asText(), shown.get("method"));
        assertEquals(pct(synthesis.path("expected_gain").asDouble()), shown.get("expected"));
        assertEquals(pct(synthesis.path("expected_gain_low").asDouble()) + " to "
                + pct(synthesis.path("expected_gain_high").asDouble()), shown.get("interval"));
        @SuppressWarnings("unchecked")
        List<List<String>> listed = (List<List<String>>) shown.get("evidence");
        assertEquals(Math.min(8, evidence.size()), listed.size(), "the evidence listed, at most eight at once");
        for (int i = 0; i < listed.size(); i++) {
            assertEquals(evidence.get(i).path("packet_id").asText(), listed.get(i).get(0),
                    "evidence " + i + " in the API's order, heaviest first");
            assertEquals(evidence.get(i).path("weight").asDouble(), // the weight holds the decay: it moves with the clock
                    Double.parseDouble(listed.get(i).get(1)), evidence.get(i).path("weight").asDouble() * 1e-4,
                    "weight of evidence " + i);
            if (i > 0) {
                assertTrue(evidence.get(i).path("weight").asDouble() <= evidence.get(i - 1).path("weight").asDouble());
            }
        }
        assertEquals(synthesis.hasNonNull("exploration") ? synthesis.path("exploration").path("method_type").asText()
                : null, shown.get("exploration"), "the exploration alternative, when the API has one");
        screenshot("domain");

        // another family: the form asks again, and the page shows that family's top-k
        browser.findElement(By.id("f-family")).sendKeys("mistral-7b");
        browser.findElement(By.cssSelector("#domain-form button[type=submit]")).click();
        waitUntil(b -> b.findElements(By.cssSelector("#top-table tbody tr")).size() == 1, "one mistral-7b packet");
        assertEquals(api(app, "/v1/domains/" + CLINICAL + "/top?k=10&family=mistral-7b").path("entries").get(0)
                .path("packet_id").asText(), fresh(() -> browser.findElement(By.cssSelector("#top-table tbody tr"))
                .getAttribute("data-packet")));
    }

    @Test
    void aPacketShowsEveryFieldItsElectionsAndItsVotesAndLinksToItsNode() throws Exception {
        browser.get(base(app) + "/#/packet/" + voted.id());
        waitFor(By.cssSelector("#packet-facts"), 1);
        JsonNode packet = api(app, "/v1/packets/" + voted.id());
        for (String f : List.of("fingerprint", "benchmark", "metric", "method_type", "data_scale")) {
            assertEquals(packet.path(f).asText(), text(By.cssSelector("#packet-facts [data-field=" + f + "]")), f);
        }
        assertTrue(text(By.cssSelector("#packet-facts [data-field=signature]")).startsWith("verified"));
        waitFor(By.cssSelector("#votes tbody tr"), 1);
        String vote = text(By.cssSelector("#votes tbody tr"));
        assertTrue(vote.contains(voter.nodeId()), vote);
        assertTrue(vote.contains("9.2 %"), "observed gain (65.5 - 60) / 60: " + vote);
        assertEquals(1, browser.findElements(By.cssSelector("#votes tbody tr[data-backed=true]")).size(),
                "the voter published a run citing it");
        JsonNode elections = packet.path("elections");
        assertEquals(pct(elections.path("expected_gain").asDouble()),
                text(By.cssSelector("#elections [data-field='expected gain'] td")));
        assertEquals(pct(elections.path("expected_gain_low").asDouble()) + " to "
                + pct(elections.path("expected_gain_high").asDouble()),
                text(By.cssSelector("#elections [data-field='95 % interval'] td")));
        assertEquals("1", text(By.cssSelector("#elections [data-field='reproduced (S)'] td")));
        assertEquals(elections.path("curate").asDouble(),
                Double.parseDouble(text(By.cssSelector("#elections [data-field='claim weight (curate)'] td"))),
                elections.path("curate").asDouble() * 0.01, "the claim weight as a number, trailing zeros kept");
        assertEquals("yes", text(By.cssSelector("#elections [data-field='listed in top-k'] td")));
        screenshot("packet");

        click(By.cssSelector("#packet-facts [data-field=node] a"));
        waitFor(By.cssSelector("#node-facts"), 1);
        JsonNode node = api(app, "/v1/nodes/" + alice.nodeId());
        assertEquals(node.path("packets").asText(), text(By.cssSelector("#node-facts [data-field='packets accepted']")));
        assertEquals(node.path("successes").asText(),
                text(By.cssSelector("#node-facts [data-field='backed reports: reproduced']")));
        assertTrue(text(By.cssSelector("#node-facts [data-field=trust]")).contains("½ until someone reproduces"));
        screenshot("node");

        browser.get(base(app) + "/#/packet/" + refuted.id());
        waitFor(By.cssSelector("#elections"), 1);
        assertEquals("1", text(By.cssSelector("#elections [data-field='refuted (F)'] td")));
        assertEquals("no", text(By.cssSelector("#elections [data-field='listed in top-k'] td")));
    }

    @Test
    void aNewlyPublishedPacketAppearsWithoutAReload() throws Exception {
        browser.get(base(app) + "/?poll=500#/domains");
        waitFor(By.cssSelector("#domains tbody tr"), 2);
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = true;");
        publisher.publish(List.of(packet("llama-3-8b", LATE, 40, 44, "LoRA", 8).sign(bob)));
        waitFor(By.cssSelector("#domains tbody tr[data-domain='" + LATE + "']"), 1);
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.sameDocument === true;"),
                "the row appeared in the same document, not after a reload");
    }

    @Test
    void theLoopChartFollowsTheSimulatorRoundByRound() throws Exception {
        browser.get(base(app) + "/?poll=500#/loop");
        waitFor(By.id("no-simulation"), 1);

        SimulationConfig config = SimulationConfig.defaults().withNodes(12).withDomains(2).withRounds(3).withSeed(5)
                .withByzantine(0.0, 0);
        try (KafkaHttpNetwork network = KafkaHttpNetwork.open(PublisherSettings.forBootstrap(kafka.bootstrapServers())
                .withLayout(new TopicLayout(PARTITIONS, (short) 1, 1)), URI.create(base(app)))) {
            new EcosystemSimulator(Clock.systemUTC(), Duration.ofSeconds(60), 2)
                    .run(config, network, new SimulationFeedListener(app.simulation(), config, ProgressListener.NONE));
        }
        waitUntil(b -> b.findElement(By.id("sim-status")).getText().startsWith("FINISHED"), "the status says so");
        waitFor(By.cssSelector("#loop-table tbody tr"), 3);
        JsonNode results = api(app, "/v1/simulation").path("results");
        assertEquals(3, results.size());
        List<String> series = List.of("loop_gain", "naive_gain", "random_gain", "oracle_gain");
        // one read of the whole table, so a refresh cannot swap it mid-way
        @SuppressWarnings("unchecked")
        List<List<String>> shown = (List<List<String>>) ((JavascriptExecutor) browser).executeScript(
                "var keys = arguments[0];"
                + " return Array.from(document.querySelectorAll('#loop-table tbody tr')).map(function (tr) {"
                + " return keys.map(function (k) {"
                + "  return tr.querySelector('td[data-key=' + k + ']').getAttribute('data-value'); }); });", series);
        assertEquals(3, shown.size());
        for (int i = 0; i < shown.size(); i++) {
            for (int j = 0; j < series.size(); j++) {
                assertEquals(results.get(i).path(series.get(j)).asDouble(), Double.parseDouble(shown.get(i).get(j)),
                        series.get(j) + " in round " + i);
            }
        }
        assertEquals(4, browser.findElements(By.cssSelector("svg.chart polyline")).size(), "four series drawn");
        screenshot("loop");
    }

    @Test
    void a503WhileAnInstanceRebalancesIsShownAsSuch() throws Exception {
        // A second instance joins the group: it answers 503 from its first request until its rebalance settles.
        // The page is opened on it at once; if the rebalance was over before the page's first answer, try again.
        QisServer second = null;
        boolean seen = false;
        for (int attempt = 1; attempt <= 3 && !seen; attempt++) {
            second = QisServer.start(config("b" + attempt), Clock.systemUTC());
            browser.get(base(second) + "/?poll=300#/health");
            waitFor(By.cssSelector("#instances p"), 1);
            // one read of the problem, the state and the banner, so a refresh cannot change the page between them
            @SuppressWarnings("unchecked")
            Map<String, String> shown = (Map<String, String>) ((JavascriptExecutor) browser).executeScript(
                    "var p = document.querySelector(\"#instances .problem[data-status='503']\");"
                    + " if (!p) return null;"
                    + " var n = document.getElementById('notice');"
                    + " return { problem: p.innerText, state: document.getElementById('state').innerText,"
                    + "  notice: n.hidden ? '' : n.innerText };");
            seen = shown != null;
            if (seen) {
                String problem = shown.get("problem");
                assertTrue(problem.contains("503 Service unavailable"), problem);
                assertTrue(problem.contains("REBALANCING"), problem);
                assertTrue(problem.contains("not an empty answer"), problem);
                assertEquals("REBALANCING", shown.get("state"));
                assertTrue(shown.get("notice").contains("503 from /v1/instances"), "the banner names the 503: "
                        + shown.get("notice"));
                screenshot("health-503");
            } else {
                second.close();
            }
        }
        assertTrue(seen, "the page saw the second instance's rebalance in one of three joins");
        try {
            // Kafka Streams may follow the join with probing rebalances: each is a new window, and each closes
            waitUntil(b -> "RUNNING".equals(b.findElement(By.id("state")).getText())
                    && b.findElements(By.cssSelector("#window-table tbody tr")).stream().map(WebElement::getText)
                    .anyMatch(w -> w.contains("/v1/instances") && w.contains("REBALANCING")
                            && !w.contains("still unavailable")),
                    "the page shows RUNNING and the 503 window of the rebalance with its end");
            waitFor(By.cssSelector("#instance-table tbody tr"), 2);
            assertTrue(browser.findElements(By.cssSelector("#rates tbody tr")).size() >= 1, "the rates table");
            screenshot("health");
        } finally {
            second.close();
        }
        awaitKnownPackets(); // the group is back to one instance: the next test starts where every test starts
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static String base(QisServer server) {
        return "http://127.0.0.1:" + server.port();
    }

    private JsonNode api(QisServer server, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base(server) + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private void waitForApi(String path, java.util.function.Predicate<JsonNode> done, String what)
            throws InterruptedException {
        Wait.waitFor(() -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base(app) + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && done.test(JSON.readTree(r.body()));
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, WAIT, () -> what);
    }

    /** Waits until at least {@code atLeast} elements match, and returns them. */
    private List<WebElement> waitFor(By by, int atLeast) {
        waitUntil(b -> b.findElements(by).size() >= atLeast, atLeast + " of " + by);
        return browser.findElements(by);
    }

    /** Waits for the page; on a timeout the page as it was is saved ({@code failed-*.png} and {@code .html}). */
    private void waitUntil(Function<WebDriver, Boolean> condition, String what) {
        try {
            new WebDriverWait(browser, WAIT).withMessage(what).ignoring(RuntimeException.class).until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            try {
                String name = "failed-" + System.currentTimeMillis();
                screenshot(name);
                Files.writeString(SCREENSHOTS.resolve(name + ".html"), browser.getPageSource());
            } catch (IOException | RuntimeException ignored) {
                // the timeout is what the test reports
            }
            throw e;
        }
    }

    /** A share as the console prints it. */
    private static String pct(double x) {
        return String.format(java.util.Locale.ROOT, "%.1f %%", x * 100);
    }

    /** Clicks the first match. */
    private void click(By by) {
        fresh(() -> {
            browser.findElement(by).click();
            return null;
        });
    }

    /** The text of the first match. */
    private String text(By by) {
        return fresh(() -> browser.findElement(by).getText());
    }

    /**
     * Reads the page, again when a refresh redrew it between finding an element and reading it (the decay in every
     * answer moves, so the pages that show it redraw on each refresh).
     */
    private <T> T fresh(java.util.function.Supplier<T> read) {
        for (int attempt = 1; ; attempt++) {
            try {
                return read.get();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private void screenshot(String name) throws IOException {
        byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }
}
