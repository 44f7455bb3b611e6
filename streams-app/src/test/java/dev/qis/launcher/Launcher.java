package dev.qis.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the {@code ./qis} launcher at the repository root as a user does: a separate process, its class path the
 * built {@code streams-app/target/qis.jar} and {@code lib/}, never Maven's test class path. {@code QIS_BUILD=never}
 * keeps the launcher from rebuilding inside a build.
 */
final class Launcher {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("qis");

    private static final AtomicLong RUNS = new AtomicLong();

    private final Path workDir;
    private final Map<String, String> env = new LinkedHashMap<>();

    Launcher(Path workDir) {
        this.workDir = workDir;
        env.put("QIS_BUILD", "never");
        env.put("HOME", workDir.toString());
    }

    Launcher env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** {@code ./qis args...} in the repository root; waits for it to end. */
    Result run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        return waitFor(start(command), String.join(" ", args), timeout);
    }

    /** A shell command line as a README shows it ({@code ./qis ...}, pipes, {@code ~}), run by bash in the root. */
    Result shell(String commandLine, Duration timeout) {
        return waitFor(start(List.of("bash", "-c", commandLine)), commandLine, timeout);
    }

    /** Starts {@code ./qis args...} without waiting: stdout and stderr go to files under the work directory. */
    Running startInBackground(String name, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        return start(command, name);
    }

    private Running start(List<String> command) {
        return start(command, "run-" + RUNS.incrementAndGet());
    }

    private Running start(List<String> command, String name) {
        try {
            Path out = workDir.resolve(name + ".out");
            Path err = workDir.resolve(name + ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("QIS_"));
            pb.environment().putAll(env);
            return new Running(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Result waitFor(Running running, String what, Duration timeout) {
        try {
            if (!running.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                running.process.destroyForcibly();
                throw new AssertionError("'" + what + "' did not end within " + timeout + "\n" + running.result(-1));
            }
            return running.result(running.process.exitValue()).named(what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A process started by the launcher. */
    record Running(Process process, Path out, Path err) {
        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        Result result(int exitCode) {
            return new Result("", exitCode, stdout(), stderr());
        }

        private static String read(Path p) {
            try {
                return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What a finished run left: its exit code and its two streams. */
    record Result(String command, int exitCode, String out, String err) {
        Result named(String name) {
            return new Result(name, exitCode, out, err);
        }

        /** Both streams end their last line: nothing the next output could run into. */
        void assertWholeLines() {
            if (!out.isEmpty() && !out.endsWith("\n")) {
                throw new AssertionError("stdout ends mid-line\n" + this);
            }
            if (!err.isEmpty() && !err.endsWith("\n")) {
                throw new AssertionError("stderr ends mid-line\n" + this);
            }
        }

        @Override
        public String toString() {
            return "$ " + command + "\n-- exit " + exitCode + "\n-- stdout:\n" + out + "\n-- stderr:\n" + err;
        }
    }
}
