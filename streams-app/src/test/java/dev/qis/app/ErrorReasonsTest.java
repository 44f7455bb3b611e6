package dev.qis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each family of errors, met through the {@code qis} command line: a known bad input gives its reason code first on
 * the error line ({@code qis: CODE: message}) and its exit code (2 for the user's input, 1 for a failure at run time;
 * {@code LauncherOfflineIT} meets an unreachable broker, {@code QisPublisherTest} a refused write).
 */
class ErrorReasonsTest {
    /** One line of {@code qis publish --input}, with the confidence to give it. */
    private static String packetLine(String confidence) {
        return "{\"base_model_family\": \"llama-3-8b\", \"task\": \"qa\", \"data_scale\": 500, \"benchmark\": \"b\", "
                + "\"metric\": \"f1\", \"baseline_score\": 0.5, \"outcome_score\": 0.6, \"method_type\": \"LoRA\", "
                + "\"n_eval_samples\": 10, \"confidence\": " + confidence + "}\n";
    }

    @TempDir
    Path dir;

    private record Run(int exitCode, String err) {
        /** The error line: the last of stderr (a dry run says first that it signs with a throwaway node). */
        String errorLine() {
            return err.strip().lines().reduce((first, second) -> second).orElse("");
        }

        /** A usage error: the reason on the first line, the command's usage after it. */
        void assertReasonFirst(int exit, String reason) {
            assertEquals(exit, exitCode, err);
            assertTrue(err.startsWith("qis: " + reason + ": "), "the reason comes first: " + err);
        }

        void assertReason(int exit, String reason) {
            assertEquals(exit, exitCode, err);
            assertTrue(errorLine().startsWith("qis: " + reason + ": "), "the reason comes first on the error line: " + err);
        }
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        var cli = QisApp.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, err.toString());
    }

    @Test
    void usageAndInputErrorsNameTheFlagOrTheFile() throws IOException {
        run("publish", "--data-scale").assertReasonFirst(2, "INVALID_OPTION");
        run("publish", "--dry-run", "--input", "a.jsonl", "--mlflow-run", "b.json").assertReason(2, "INVALID_OPTION");
        Path key = Files.writeString(dir.resolve("node.pem"), "");
        run("keygen", "--out", key.toString()).assertReason(2, "FILE_EXISTS");
        run("publish", "--dry-run", "--key", dir.resolve("absent.pem").toString(), "--input", "a.jsonl")
                .assertReason(2, "FILE_UNREADABLE");
    }

    @Test
    void adapterErrorsNameWhatIsWrongWithTheInput() throws IOException {
        Path blank = Files.writeString(dir.resolve("blank.jsonl"), "\n  \n");
        run("publish", "--dry-run", "--input", blank.toString()).assertReason(2, "EMPTY_INPUT");
        Path unknown = Files.writeString(dir.resolve("unknown.jsonl"), "{\"colour\": \"red\"}\n");
        run("publish", "--dry-run", "--input", unknown.toString()).assertReason(2, "UNKNOWN_FIELD");
        Path refused = Files.writeString(dir.resolve("refused.jsonl"), packetLine("7"));
        Run invalid = run("publish", "--dry-run", "--input", refused.toString());
        invalid.assertReason(2, "INVALID_PACKET");
        assertTrue(invalid.errorLine().contains("refused.jsonl line 1: INVALID_FIELD: confidence"),
                "the protocol's own reason follows: " + invalid.err());
    }

    @Test
    void configErrorsNameTheSetting() {
        run("serve", "--config", dir.resolve("nope.properties").toString()).assertReason(2, "FILE_UNREADABLE");
        run("serve", "-b", "localhost:9092", "--application-server", "no-port-here").assertReason(2, "INVALID_SETTING");
    }

    @Test
    void simulationSettingsAreInputErrors() throws IOException {
        run("simulate", "--families", "99").assertReason(2, "INVALID_OPTION");
        // the reason decides the exit code, whichever exception carries it
        run("simulate", "--summarize-matrix", dir.toString()).assertReason(2, "FILE_UNREADABLE");
        Files.writeString(dir.resolve("runs.tsv"), "base\t--seed 1\n");
        run("simulate", "--summarize-matrix", dir.toString()).assertReason(2, "MALFORMED_INPUT");
    }
}
