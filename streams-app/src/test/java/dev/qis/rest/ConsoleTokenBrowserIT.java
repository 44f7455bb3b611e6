package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.access.TokenFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser against a server that requires a bearer token: the page loads without one, asks
 * for it at the first 401, then sends it with every call and keeps it in sessionStorage only; a refused token is
 * forgotten and asked for again. Skipped, with one line, where Chromium or chromedriver is not installed.
 */
@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConsoleTokenBrowserIT {
    private static final Path CHROMIUM = Paths.get(System.getProperty("qis.test.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Paths.get(System.getProperty("qis.test.chromedriver",
            "/usr/bin/chromedriver"));
    private static final String TOKEN = "console-token-browser-test-0123";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void theConsoleAsksForTheTokenOnceAndSendsItWithEveryCall() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed) {
            System.err.println("ConsoleTokenBrowserIT skipped: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing");
        }
        Assumptions.assumeTrue(installed, "Chromium and chromedriver are not installed");
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, TOKEN + "\n");
        List<String> answeredCalls = Collections.synchronizedList(new ArrayList<>());
        List<Route> routes = new ArrayList<>(new ConsoleRoutes(new SimulationFeed()).routes());
        routes.add(Route.get("/v1/domains", r -> {
            answeredCalls.add("/v1/domains");
            return ApiResponse.json(Map.of("domains", List.of(Map.of("domain", "token-guarded-domain", "packets", 1,
                    "fingerprints", 1, "nodes", 1, "last_seen", "2026-11-01T12:00:00Z"))));
        }));
        RestAccess access = new RestAccess(Optional.of(new BearerAuth(TokenFile.read(tokens), false)), Optional.empty());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        WebDriver browser = null;
        try (RestServer server = new RestServer(new InetSocketAddress("127.0.0.1", 0), new SimpleMeterRegistry(),
                RestServer.Capacity.DEFAULT, access).start(new Router(routes))) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1366,900",
                    "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile"));
            browser = new ChromeDriver(service, options);
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            browser.get("http://127.0.0.1:" + server.port() + "/?poll=300");

            WebElement form = wait.until(b -> visible(b, "token-form"));
            assertTrue(form.getText().contains("wants a bearer token"), form.getText());
            assertTrue(answeredCalls.isEmpty(), "no call answered before the token");
            browser.findElement(By.id("token-input")).sendKeys("not-the-token-of-this-server");
            form.findElement(By.tagName("button")).click();
            wait.until(b -> visible(b, "token-form") != null
                    && b.findElement(By.id("token-form")).getText().contains("was refused"));
            assertEquals(null, storage(browser), "a refused token is forgotten");

            browser.findElement(By.id("token-input")).sendKeys(TOKEN);
            browser.findElement(By.id("token-form")).findElement(By.tagName("button")).click();
            wait.until(b -> b.findElement(By.id("view")).getText().contains("token-guarded-domain"));
            assertEquals(TOKEN, storage(browser), "kept in the tab's sessionStorage");
            int answered = answeredCalls.size();
            wait.until(b -> answeredCalls.size() > answered + 1); // the refreshes send it too
            // the page hides the form on its own schedule once an answer with the token arrives: wait for that
            wait.withMessage("the form is gone once the token is accepted").until(b -> visible(b, "token-form") == null);
            assertEquals(null, ((JavascriptExecutor) browser).executeScript(
                    "return window.localStorage.getItem('qis.rest.token');"), "never in localStorage");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            service.stop();
        }
    }

    private static WebElement visible(WebDriver browser, String id) {
        List<WebElement> found = browser.findElements(By.id(id));
        return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }

    private static Object storage(WebDriver browser) {
        return ((JavascriptExecutor) browser).executeScript("return window.sessionStorage.getItem('qis.rest.token');");
    }
}
