package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.app.QisApp;
import dev.qis.command.DemoCommand;
import dev.qis.protocol.Topics;
import dev.qis.testing.Wait;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code qis demo} as a user runs it (on free ports): its domain topics are read by a consumer that knows only the
 * schema registry's documented API, pointed at the registry the demo serves, and the README's
 * {@code qis subscribe --domain ... --from-beginning -e -r URL}, as the demo prints it, reads the same records.
 */
@Tag("integration")
@Timeout(300)
class DemoRegistryIT {
    private static final Pattern REGISTRY = Pattern.compile(
            "Schema registry: (\\S+) .*\n  \\./qis subscribe -b (\\S+) --domain (\\S+) --from-beginning -e -r \\S+");
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void aRegistryAwareConsumerReadsTheDemosDomainTopics() throws Exception {
        StringWriter demoOut = new StringWriter();
        CommandLine demo = QisApp.commandLine();
        demo.setOut(new PrintWriter(demoOut, true));
        demo.setErr(new PrintWriter(new StringWriter(), true));
        DemoCommand command = demo.getSubcommands().get("demo").getCommand();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread running = new Thread(() -> exit.set(demo.execute("demo", "--port", "0", "--registry-port", "0",
                "--nodes", "20", "--domains", "2", "--rounds", "2")), "demo-under-test");
        running.start();
        try {
            Matcher[] found = new Matcher[1];
            Wait.waitFor(() -> {
                Matcher m = REGISTRY.matcher(demoOut.toString());
                found[0] = m.find() ? m : null;
                return found[0] != null || !running.isAlive();
            }, WAIT, () -> "the demo printed no 'Schema registry' lines: " + demoOut);
            assertTrue(found[0] != null, "the demo stopped early (exit " + exit.get() + "): " + demoOut);
            String registryUrl = found[0].group(1);
            String bootstrap = found[0].group(2);
            assertTrue(demoOut.toString().contains("-s key=s -s value=avro -r " + registryUrl), "a kcat line: " + demoOut);

            List<String> domainTopics = new ArrayList<>();
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Wait.waitFor(() -> {
                domainTopics.clear();
                domainTopics.addAll(domainTopics(bootstrap));
                records.clear();
                if (!domainTopics.isEmpty()) {
                    records.addAll(ReferenceAvroConsumer.readAll(bootstrap, domainTopics.get(0), WAIT));
                }
                return !records.isEmpty();
            }, WAIT, () -> "no routed packet on " + domainTopics);

            String topic = domainTopics.get(0);
            String domain = topic.substring(Topics.DOMAIN_PREFIX.length());
            ReferenceAvroConsumer reference = new ReferenceAvroConsumer(registryUrl);
            Set<String> read = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                ReferenceAvroConsumer.Read value = reference.decode(r.value());
                assertEquals(domain, value.field("context.task"));
                read.add(value.field("packet_id"));
            }

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine subscribe = QisApp.commandLine();
            subscribe.setOut(new PrintWriter(out, true));
            subscribe.setErr(new PrintWriter(err, true));
            assertEquals(0, subscribe.execute("subscribe", "-b", bootstrap, "--domain", domain, "--from-beginning", "-e",
                    "-r", registryUrl), "qis subscribe: " + err);
            Set<String> subscribed = new HashSet<>();
            ObjectMapper json = new ObjectMapper();
            for (String line : out.toString().strip().split("\n")) {
                subscribed.add(json.readTree(line).get("packet_id").asText());
            }
            assertFalse(read.isEmpty());
            assertTrue(subscribed.containsAll(read), "qis subscribe printed " + subscribed + ", the reference consumer read " + read);

            // without the registry, the framed records are read with the protocol's own shipped schemas
            StringWriter plainOut = new StringWriter();
            StringWriter plainErr = new StringWriter();
            CommandLine plain = QisApp.commandLine();
            plain.setOut(new PrintWriter(plainOut, true));
            plain.setErr(new PrintWriter(plainErr, true));
            assertEquals(0, plain.execute("subscribe", "-b", bootstrap, "--domain", domain, "--from-beginning", "-e"),
                    "qis subscribe without -r: " + plainErr);
            Set<String> plainIds = new HashSet<>();
            for (String line : plainOut.toString().strip().split("\n")) {
                plainIds.add(json.readTree(line).get("packet_id").asText());
            }
            assertTrue(plainIds.containsAll(read), "without -r: " + plainIds + " vs " + read + "\n" + plainErr);
        } finally {
            command.stop.countDown();
            running.join(Duration.ofSeconds(60).toMillis());
        }
        assertEquals(0, exit.get(), "the demo's exit code");
    }

    private static List<String> domainTopics(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            return admin.listTopics().names().get().stream().filter(t -> t.startsWith(Topics.DOMAIN_PREFIX)).sorted().toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError("cannot list topics: " + e.getCause(), e);
        }
    }
}
