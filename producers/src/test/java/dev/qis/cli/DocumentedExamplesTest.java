package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The publish examples of the README, run as written (dry run) on the files in examples/. */
class DocumentedExamplesTest {
    private static final String ROOT = "../";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "flags | 1 | --family llama-3-8b --task clinical-note-summarization --tag healthcare --tag SOAP-notes --tag en-US"
            + " --data-scale 5000 --benchmark soap-notes-heldout --metric rougeL --baseline 0.351 --outcome 0.417"
            + " --method-type QLoRA --hyperparam lora_r=16 --hyperparam learning_rate=2e-4 --n-eval 400 --confidence 0.8",
        "json lines | 3 | --input examples/packets.jsonl",
        "model cards | 2 | --model-card examples/model-cards/fine-tuned/README.md --base-card examples/model-cards/base/README.md"
            + " --task medical-qa --tag medical --data-scale 8000 --method-type LoRA --n-eval 1273 --confidence 0.8",
        "mlflow run | 1 | --mlflow-run examples/mlflow-run.json",
        "lm-eval results | 4 | --lm-eval examples/lm-eval/fine-tuned/results.json"
            + " --lm-eval-base examples/lm-eval/base/results.json --task medical-qa --tag medical --data-scale 8000"
            + " --method-type LoRA --hyperparam lora_r=16",
    })
    void publishExampleWorksAsWritten(String name, int packets, String args) {
        List<String> argv = new ArrayList<>(List.of("publish", "--dry-run"));
        for (String a : args.strip().split(" +")) {
            argv.add(a.startsWith("examples/") ? ROOT + a : a);
        }
        CliRun run = CliRun.of(argv.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(packets, run.out().strip().lines().count(), run.toString());
        assertTrue(run.out().contains("\"encoded_size\""), run.out());
    }
}
