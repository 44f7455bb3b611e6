package dev.qis.chaos;

import dev.qis.access.TokenFile;
import dev.qis.client.QisApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code qis serve} instance in a JVM of its own, started from this JVM's class path on a fixed loopback port and
 * state directory, so that after a {@code SIGKILL} it starts again on the same address and whatever state survived.
 */
final class AppInstance {
    private final String name;
    private final int port;
    private final Path stateDir;
    private final Path logFile;
    private final Map<String, String> environment;
    private final String classPath;
    private final QisApiClient api;
    private Process process;

    /**
     * {@code environment}: the {@code QIS_*} settings of the instance (bootstrap servers, standbys, ...);
     * {@code classPath}: where its classes come from (this JVM's class path, or another build's qis.jar).
     */
    AppInstance(String name, int port, Path workDir, Map<String, String> environment, String classPath) {
        this.classPath = classPath;
        this.name = name;
        this.port = port;
        this.stateDir = workDir.resolve("state-" + name);
        this.logFile = workDir.resolve("serve-" + name + ".log");
        this.environment = Map.copyOf(environment);
        // an instance given a token file (--env QIS_REST_AUTH_TOKEN_FILE=...) is asked with its first token
        this.api = QisApiClient.to(baseUrl()).token(TokenFile.clientToken(null, environment.get(TokenFile.ENV)))
                .timeouts(Duration.ofSeconds(10), Duration.ofSeconds(2)).build();
    }

    String name() {
        return name;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Path logFile() {
        return logFile;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("instance " + name + " is running already");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.add("-cp");
        command.add(classPath);
        command.add("dev.qis.app.QisApp");
        command.addAll(List.of("serve", "--log-file", logFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.resolveSibling("serve-" + name + ".out")
                        .toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("QIS_"));
        builder.environment().putAll(environment);
        builder.environment().put("QIS_REST_PORT", Integer.toString(port));
        builder.environment().put("QIS_REST_BIND", "127.0.0.1");
        builder.environment().put("QIS_STATE_DIR", stateDir.toString());
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start qis serve " + name, e);
        }
    }

    /** {@code SIGKILL}: no shutdown hook, no commit, no flush; waits until the process is gone. */
    synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** A clean stop (SIGTERM). */
    synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    /** Waits until {@code /health/ready} answers 200. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!isRunning()) {
                throw new IllegalStateException("qis serve " + name + " exited; see " + logFile);
            }
            if (status("/health/ready") == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("qis serve " + name + " was not ready within " + timeout + "; see "
                + logFile);
    }

    /** The status of a GET, or -1 when there is no answer. */
    int status(String path) {
        return api.status(path);
    }

    QisApiClient.Answer get(String path) throws IOException, InterruptedException {
        return api.get(path);
    }
}
