package dev.qis.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.testing.InJvmKafka;
import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "From code" example, as written: its Java block is compiled against the publisher library and run
 * against a real broker, with the reader's broker address and key file replaced by this test's.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReadmeJavaExampleIT {
    private static final Path README = Path.of("../README.md");
    @RegisterExtension
    static final InJvmKafka cluster = new InJvmKafka();

    @TempDir
    Path dir;

    @BeforeAll
    static void createTopics() throws Exception {
        try (var admin = cluster.admin()) {
            new TopicProvisioner(admin, Duration.ofSeconds(30)).ensure(TopicLayout.defaults());
        }
    }

    @Test
    void theJavaExampleCompilesAndPublishes() throws Exception {
        NodeIdentity node = NodeIdentity.generate();
        Path key = dir.resolve("node.pem");
        node.write(key);
        String snippet = javaBlock(Files.readString(README, StandardCharsets.UTF_8))
                .replace("\"broker-1:9092\"", "\"" + cluster.bootstrapServers() + "\"")
                .replace("\"/etc/qis/node.pem\"", "\"" + key + "\"");
        Path source = dir.resolve("ReadmeExample.java");
        Files.writeString(source, String.join("\n",
                "import dev.qis.protocol.*;",
                "import dev.qis.protocol.avro.DataScale;",
                "import dev.qis.publish.*;",
                "import java.nio.file.Path;",
                "import java.util.List;",
                "public class ReadmeExample {",
                "    public static void run() throws Exception {",
                snippet,
                "    }",
                "}"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp", classPath(), source.toString());
        assertEquals(0, status, "the README's Java example does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("ReadmeExample").getMethod("run").invoke(null);
        }

        List<String> outcomes = Topics.allOutcomeTopics(TopicLayout.defaults().prefixChars());
        List<ConsumerRecord<String, byte[]>> records = cluster.readUntil(outcomes, "read_committed",
                seen -> !seen.isEmpty(), Duration.ofSeconds(30), "the example's packet");
        assertEquals(1, records.size());
        OutcomePacket packet = ProtocolCodec.decodePacket(records.get(0).value());
        assertEquals(node.nodeId(), packet.getNodeId());
        assertEquals("soap-notes-heldout", packet.getOutcome().getBenchmark());
        assertTrue(cluster.readToEnd(List.of(Topics.NODES), "read_committed").stream()
                .anyMatch(r -> r.key().equals(node.nodeId())), "the example registered its node");
    }

    private static String javaBlock(String readme) {
        int start = readme.indexOf("```java\n");
        assertTrue(start >= 0, "the README has a Java example");
        int end = readme.indexOf("```", start + 8);
        return readme.substring(start + 8, end);
    }

    /** Where the library's classes and the ones its API exposes come from, as a compiler class path. */
    private static String classPath() throws URISyntaxException {
        return Stream.of(QisPublisher.class, NodeIdentity.class, org.apache.avro.specific.SpecificRecordBase.class,
                        org.apache.kafka.clients.producer.Producer.class)
                .map(c -> c.getProtectionDomain().getCodeSource().getLocation())
                .map(url -> {
                    try {
                        return Path.of(url.toURI()).toString();
                    } catch (URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .distinct().collect(Collectors.joining(java.io.File.pathSeparator));
    }
}
