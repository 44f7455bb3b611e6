package dev.qis.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.launcher.ReadmeExamples.Example;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadmeExamplesTest {
    @Test
    void findsCommandsOutputsExportsAndInlineExamples() {
        List<Example> examples = ReadmeExamples.parse(List.of(
                "Run `./qis demo` or see `./qis COMMAND --help`.",
                "```",
                "$ ./qis fingerprint --family a \\",
                "    --task b",
                "55b458144026d774",
                "$ export QIS_KEY_FILE=~/.qis/node.pem",
                "```",
                "```java",
                "./qis not-a-shell-example",
                "```",
                "```",
                "./qis publish --input x.jsonl",
                "cat x.jsonl | ./qis publish --input -",
                "mvn -B verify",
                "```"));
        assertEquals(List.of("./qis demo", "./qis fingerprint --family a --task b", "export QIS_KEY_FILE=~/.qis/node.pem",
                "./qis publish --input x.jsonl", "cat x.jsonl | ./qis publish --input -"),
                examples.stream().map(Example::command).toList());
        assertEquals(List.of("55b458144026d774"), examples.get(1).expectedOutput());
        assertEquals(3, examples.get(1).line());
        assertTrue(examples.get(2).export());
    }

    @Test
    void theReadmeHasTheExamplesTheLauncherTestRuns() {
        List<String> commands = ReadmeExamples.read(Launcher.ROOT.resolve("README.md")).stream().map(Example::command).toList();
        for (String expected : List.of("./qis demo", "./qis register", "./qis publish --input examples/packets.jsonl",
                "./qis publish --mlflow-run examples/mlflow-run.json")) {
            assertTrue(commands.contains(expected), expected + " in " + commands);
        }
        assertTrue(commands.stream().anyMatch(c -> c.startsWith("./qis publish --model-card")), commands.toString());
        assertTrue(commands.stream().anyMatch(c -> c.startsWith("./qis subscribe")), commands.toString());
    }
}
