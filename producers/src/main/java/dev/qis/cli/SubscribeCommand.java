package dev.qis.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.adapters.PacketJson;
import dev.qis.errors.Reason;
import dev.qis.protocol.FieldRules;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.Topics;
import dev.qis.registry.DomainRecordReader;
import dev.qis.registry.RegistryException;
import dev.qis.registry.RegistrySettings;
import dev.qis.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis subscribe}: prints the packets routed to a domain, one JSON object per line. */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
        description = {"Read " + Topics.DOMAIN_PREFIX + "<task> and print one JSON object per routed packet.",
            "Each object holds the packet's fields, its fidelity at routing time (the qis.* headers: fidelity, curate, "
                + "vote, trust, decay, routed_at), its partition and offset. Reads committed records only and joins no "
                + "consumer group (commits nothing)."})
public final class SubscribeCommand implements Callable<Integer> {
    static final String ENV_REGISTRY = "QIS_SCHEMA_REGISTRY_URL";
    private static final Duration POLL = Duration.ofMillis(200);

    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;

    @Option(names = {"-d", "--domain"}, required = true, paramLabel = "TASK", description = "the domain (a task name) to follow")
    String domain;

    @Option(names = "--from-beginning", description = "start at the oldest record (default: only new ones)")
    boolean fromBeginning;

    @Option(names = "-e", description = "exit after the last record present at start (like kcat -e)")
    boolean exitAtEnd;

    @Option(names = {"-r", "--schema-registry"}, paramLabel = "URL",
            description = "the schema registry whose schema ids records in Schema Registry framing (magic byte 0, schema"
                    + " id) carry; records in Avro single-object encoding need none (default: schema.registry.url from"
                    + " --command-config/-X, with basic.auth.user.info and schema.registry.ssl.*, else $"
                    + ENV_REGISTRY + ")")
    String schemaRegistry;

    /** The environment; replaced in tests. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() {
        String topic;
        try {
            topic = Topics.domain(domain);
        } catch (ProtocolException e) {
            throw new InputException(Reason.INVALID_OPTION, "--domain: " + e.detail(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<RegistrySettings> registry = registry();
        DomainRecordReader reader = new DomainRecordReader(registry.map(SchemaRegistryClient::new));
        int undecodable = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            Thread main = Thread.currentThread();
            Thread stopper = new Thread(consumer::wakeup, "qis-subscribe-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            try {
                List<PartitionInfo> partitions = consumer.partitionsFor(topic, client.timeout());
                if (partitions == null || partitions.isEmpty()) {
                    err.println("qis: topic " + topic + " does not exist (no packet has been routed to domain '"
                            + domain + "' yet)");
                    return QisCommand.EXIT_FAILURE;
                }
                List<TopicPartition> assigned = partitions.stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(assigned);
                if (fromBeginning) {
                    consumer.seekToBeginning(assigned);
                } else {
                    consumer.seekToEnd(assigned);
                }
                Map<TopicPartition, Long> end = exitAtEnd ? consumer.endOffsets(assigned, client.timeout()) : Map.of();
                while (!main.isInterrupted()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                        try {
                            out.println(PacketJson.toLine(line(r, reader)));
                        } catch (ProtocolException e) {
                            undecodable++;
                            err.println("qis: " + topic + " partition " + r.partition() + " offset " + r.offset()
                                    + ": cannot decode the packet: " + e.getMessage());
                        } catch (RegistryException e) {
                            undecodable++;
                            err.println("qis: " + topic + " partition " + r.partition() + " offset " + r.offset()
                                    + ": cannot read the packet's schema: " + e.getMessage());
                        }
                    }
                    out.flush();
                    if (exitAtEnd && atEnd(consumer, end)) {
                        break;
                    }
                }
            } catch (WakeupException e) {
                // Ctrl-C: a normal way to stop following a domain.
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
        }
        return undecodable == 0 ? QisCommand.EXIT_OK : QisCommand.EXIT_FAILURE;
    }

    private static boolean atEnd(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The packet's fields, then its fidelity headers (as numbers), partition and offset. */
    static ObjectNode line(ConsumerRecord<String, byte[]> r, DomainRecordReader reader) {
        ObjectNode o = PacketJson.of(reader.decode(r.value()));
        for (Header h : r.headers()) {
            if (!h.key().startsWith("qis.") || h.value() == null) {
                continue;
            }
            String name = h.key().substring("qis.".length());
            String text = new String(h.value(), StandardCharsets.UTF_8);
            try {
                if (text.matches("[+-]?\\d{1,18}")) {
                    o.put(name, Long.parseLong(text));
                } else {
                    o.put(name, Double.parseDouble(text));
                }
            } catch (NumberFormatException e) {
                o.put(name, text);
            }
        }
        o.put("partition", r.partition());
        o.put("offset", r.offset());
        return o;
    }

    /** The registry settings: --schema-registry, else the client properties' schema.registry.url, else the environment. */
    private Optional<RegistrySettings> registry() {
        Map<String, Object> config = new HashMap<>(client.clientProperties());
        String env = environment.get(ENV_REGISTRY);
        if (schemaRegistry != null) {
            config.put(RegistrySettings.URL, schemaRegistry);
        } else if (!config.containsKey(RegistrySettings.URL) && env != null && !env.isBlank()) {
            config.put(RegistrySettings.URL, env);
        }
        try {
            return RegistrySettings.from(config);
        } catch (IllegalArgumentException e) {
            throw new InputException(Reason.INVALID_SETTING, e.getMessage(), e);
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(client.clientProperties());
        config.keySet().removeAll(RegistrySettings.KEYS);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, client.timeout().toMillis());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return config;
    }
}
