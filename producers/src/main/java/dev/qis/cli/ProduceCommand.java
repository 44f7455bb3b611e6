package dev.qis.cli;

import dev.qis.errors.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis produce}: one record per line of a file, to try {@code qis bridge} on a topic of example events. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Write each non-blank line of a file to a topic as one record (no key), as any Kafka producer "
            + "would: a way to put example run events on a topic for 'qis bridge'. Creates the topic if it is missing. "
            + "Prints the number of records the broker acknowledged."})
public final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Option(names = {"-t", "--topic"}, required = true, paramLabel = "TOPIC", description = "the topic to write to")
    String topic;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE", description = "one record per line; - reads standard input")
    String input;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "partitions of the topic when it is created (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--create-topic", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "create the topic if it is missing (default: true)")
    boolean createTopic;

    @Override
    public Integer call() throws InterruptedException {
        List<String> lines = readLines();
        if (createTopic) {
            createTopic();
        }
        Map<String, Object> config = new HashMap<>(client.clientProperties());
        long timeoutMs = client.timeout().toMillis();
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        int requestTimeout = (int) Math.max(1, Math.min(30_000, timeoutMs));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeoutMs, requestTimeout + 5));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (String line : lines) {
                acks.add(producer.send(new ProducerRecord<>(topic, line.getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        } catch (ExecutionException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            spec.commandLine().getErr().println("qis: producing to " + topic + " failed: " + cause.getMessage());
            return QisCommand.EXIT_FAILURE;
        }
        spec.commandLine().getOut().println(lines.size());
        spec.commandLine().getErr().println("produced " + lines.size() + " record(s) to " + topic);
        return QisCommand.EXIT_OK;
    }

    private List<String> readLines() {
        try {
            BufferedReader in = input.equals("-")
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8);
            try (in) {
                return in.lines().filter(l -> !l.isBlank()).toList();
            }
        } catch (IOException e) {
            throw new InputException(Reason.FILE_UNREADABLE, "--input " + input + ": cannot read: " + e, e);
        }
    }

    private void createTopic() throws InterruptedException {
        Map<String, Object> config = new HashMap<>();
        var known = AdminClientConfig.configNames();
        client.clientProperties().forEach((k, v) -> {
            if (known.contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.") || k.startsWith("security.")) {
                config.put(k, v);
            }
        });
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, client.timeout().toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        try (Admin admin = Admin.create(config)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all()
                        .get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new dev.qis.publish.PublishException(Reason.TOPIC_SETUP_FAILED,
                            "could not create " + topic + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
            dev.qis.publish.TopicLeaders.await(admin, topic, client.timeout());
        } catch (TimeoutException e) {
            throw new dev.qis.publish.PublishException(Reason.BROKER_TIMEOUT,
                    "no answer from the brokers within " + timeoutMs
                    + " ms while creating " + topic + " (are they reachable?)", e);
        }
    }
}
