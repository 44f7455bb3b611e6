package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.protocol.NodeIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publish, keygen and vote commands up to the point where they would talk to a broker. */
class PublishCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCES = "src/test/resources/";
    /** No broker listens here; a command that got this far would fail with exit 1, not 2. */
    private static final String NOWHERE = "127.0.0.1:1";

    @TempDir
    Path dir;

    private Path key() throws IOException {
        Path key = dir.resolve("node.pem");
        NodeIdentity.generate().write(key);
        return key;
    }

    private static List<JsonNode> lines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    void keygenWritesAPrivateKeyFileAndPrintsTheNodeId() throws IOException {
        Path key = dir.resolve("keys/node.pem");
        CliRun run = CliRun.of("keygen", "--out", key.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(NodeIdentity.read(key).nodeId(), run.out().strip());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        CliRun again = CliRun.of("keygen", "--out", key.toString());
        assertEquals(2, again.exitCode(), "never overwrites a key: " + again);
    }

    @Test
    void dryRunFromFlagsPrintsThePacketWithFingerprintIdAndSize() throws IOException {
        Path key = key();
        CliRun run = CliRun.of("publish", "--dry-run", "--key", key.toString(), "-f", "llama-3-8b",
                "-t", "clinical-note-summarization", "--tag", "healthcare", "--tag", "SOAP-notes", "--tag", "en-US",
                "--data-scale", "5000", "--benchmark", "medqa", "--metric", "accuracy", "--baseline", "0.61",
                "--outcome", "0.683", "--method-type", "LoRA", "--hyperparam", "lora_r=16", "--hyperparam", "lr=2e-4",
                "--n-eval", "400", "--confidence", "0.8");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode p = lines(run.out()).get(0);
        assertEquals("8ff8bb6992657811", p.get("fingerprint").asText());
        assertTrue(p.get("packet_id").asText().startsWith("8ff8bb6992657811-"));
        assertEquals("qis.outcomes.8", p.get("topic").asText());
        assertTrue(p.get("encoded_size").asInt() > 100 && p.get("encoded_size").asInt() <= 512, p.toString());
        assertEquals(NodeIdentity.read(key).nodeId(), p.get("node_id").asText());
        assertEquals(16, p.get("hyperparams").get("lora_r").asLong());
        assertEquals("FROM_1K_TO_10K", p.get("data_scale").asText());
    }

    @Test
    void dryRunOfEachFileFormat() throws IOException {
        Path key = key();
        CliRun jsonl = CliRun.of("publish", "--dry-run", "--key", key.toString(), "--input", RESOURCES + "packets.jsonl");
        assertEquals(0, jsonl.exitCode(), jsonl.toString());
        assertEquals(3, lines(jsonl.out()).size());

        CliRun card = CliRun.of("publish", "--dry-run", "--key", key.toString(),
                "--model-card", RESOURCES + "cards/fine-tuned/README.md", "--base-card", RESOURCES + "cards/base/README.md",
                "--task", "medical-qa", "--tag", "medical", "--data-scale", "FROM_1K_TO_10K", "--method-type", "LoRA",
                "--n-eval", "1273", "--confidence", "0.8");
        assertEquals(0, card.exitCode(), card.toString());
        assertEquals(2, lines(card.out()).size());
        assertTrue(card.err().contains("skipped qiaojin/PubMedQA"), card.err());

        CliRun mlflow = CliRun.of("publish", "--dry-run", "--key", key.toString(), "--mlflow-run", RESOURCES + "mlflow/run.json");
        assertEquals(0, mlflow.exitCode(), mlflow.toString());
        assertEquals("soap-notes-heldout", lines(mlflow.out()).get(0).get("benchmark").asText());
    }

    @Test
    void dryRunWithoutAKeyUsesAThrowawayNode() {
        CliRun run = CliRun.of("publish", "--dry-run", "--input", RESOURCES + "packets.jsonl");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("throwaway node"), run.err());
    }

    @Test
    void aBadLineIsAnInputErrorNamingTheLineAndNothingIsSent() throws IOException {
        Path input = dir.resolve("bad.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(RESOURCES + "packets.jsonl")));
        lines.set(1, lines.get(1).replace("\"confidence\": 0.7", "\"confidence\": 7"));
        Files.write(input, lines);
        // The broker address is unreachable: an exit code of 2 (not 1) shows nothing tried to connect.
        CliRun run = CliRun.of("publish", "-b", NOWHERE, "--timeout", "2s", "--key", key().toString(),
                "--input", input.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("qis: INVALID_PACKET: ") && run.err().contains("bad.jsonl line 2: INVALID_FIELD: confidence"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void aMissingFieldNamesTheFlag() throws IOException {
        CliRun run = CliRun.of("publish", "-b", NOWHERE, "--key", key().toString(), "-f", "llama-3-8b", "-t", "qa");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("qis: MISSING_FIELD: flags: data_scale: missing"), run.err());
    }

    @Test
    void nanIsRefused() throws IOException {
        CliRun run = CliRun.of("publish", "--dry-run", "--key", key().toString(), "-f", "llama-3-8b", "-t", "qa",
                "--data-scale", "LT_100", "--benchmark", "b", "--metric", "m", "--baseline", "NaN", "--outcome", "1",
                "--method-type", "LoRA", "--n-eval", "10", "--confidence", "0.5");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("baseline_score"), run.err());
    }

    @Test
    void anUnreadableKeyFileIsAnInputError() throws IOException {
        Path bad = dir.resolve("bad.pem");
        Files.writeString(bad, "not a key");
        CliRun run = CliRun.of("publish", "-b", NOWHERE, "--key", bad.toString(), "--input", RESOURCES + "packets.jsonl");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("key"), run.err());
        CliRun missing = CliRun.of("publish", "-b", NOWHERE, "--key", dir.resolve("absent.pem").toString(),
                "--input", RESOURCES + "packets.jsonl");
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("qis: FILE_UNREADABLE: ") && missing.err().contains("absent.pem"), missing.err());
    }

    @Test
    void aCardWithoutModelIndexIsAnInputError() throws IOException {
        Path card = dir.resolve("README.md");
        Files.writeString(card, "---\nbase_model: meta-llama/Meta-Llama-3-8B\n---\n");
        CliRun run = CliRun.of("publish", "--dry-run", "--key", key().toString(), "--model-card", card.toString(),
                "--base-card", RESOURCES + "cards/base/README.md");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("qis: MISSING_FIELD: ") && run.err().contains("model-index: missing"), run.err());
    }

    @Test
    void conflictingInputsAreAUsageError() {
        CliRun run = CliRun.of("publish", "--dry-run", "--input", "a.jsonl", "--mlflow-run", "b.json");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("qis: INVALID_OPTION: give at most one of"), run.err());
        CliRun lonelyCard = CliRun.of("publish", "--dry-run", "--model-card", "README.md");
        assertEquals(2, lonelyCard.exitCode(), lonelyCard.toString());
        assertTrue(lonelyCard.err().contains("--base-card"), lonelyCard.err());
    }

    @Test
    void voteRefusesABadPacketIdBeforeConnecting() throws IOException {
        CliRun run = CliRun.of("vote", "-b", NOWHERE, "--key", key().toString(), "--packet", "nope",
                "--observed", "0.7", "--n-eval", "100");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("qis: INVALID_OPTION: --packet"), run.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("keygen", "register", "publish", "vote", "subscribe")) {
            CliRun run = CliRun.of(command, "--help");
            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.out().contains("Usage: qis " + command), run.out());
        }
        assertTrue(CliRun.of("publish", "--help").out().contains("--bootstrap-server"));
    }
}
