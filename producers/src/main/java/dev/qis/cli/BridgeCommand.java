package dev.qis.cli;

import dev.qis.adapters.AdapterException;
import dev.qis.bridge.Bridge;
import dev.qis.bridge.BridgeCounters;
import dev.qis.bridge.BridgeMapping;
import dev.qis.bridge.EventTranslator;
import dev.qis.bridge.MetricsEndpoint;
import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qis bridge}: publishes every finished run on an internal topic as signed packets, once. */
@Command(name = "bridge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Read run events from a topic on your internal cluster (--from-bootstrap-server, --from-topic) and "
            + "publish them as signed packets to " + Topics.OUTCOMES_PREFIX + "* on the federation cluster (-b).",
            "Events: MLflow runs ({\"run\": ...}), lm-evaluation-harness results.json, or flat packets (the JSON of "
            + "'qis publish --input'). --mapping supplies what a run cannot carry (task, tags, method, the outcome metric, "
            + "the baseline), per experiment, per run tag or per format.",
            "Unfinished runs, runs without a baseline and invalid events go to --dead-letter-topic on the internal "
            + "cluster with their original bytes and a qis.dead_letter.reason header; nothing is dropped.",
            "A batch's internal offsets are committed only after the federation acknowledged its packets. Packets are a "
            + "pure function of the event, the mapping and the key, so an event read twice yields a byte-identical "
            + "packet, which the federation treats as a duplicate.",
            "Prints each published packet id; progress and dead letters go to standard error."})
public final class BridgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClientOptions client;
    @Mixin
    KeyOptions key;
    @Mixin
    TopicOptions topics;
    @Mixin
    LogOptions logOptions;

    @Option(names = "--from-bootstrap-server", required = true, paramLabel = "HOST:PORT[,...]",
            description = "the internal cluster's brokers")
    String fromBootstrapServers;

    @Option(names = "--from-topic", required = true, paramLabel = "TOPIC", description = "the internal topic of run events")
    String fromTopic;

    @Option(names = "--from-command-config", paramLabel = "FILE",
            description = "a properties file of Kafka client settings for the internal cluster (SASL, TLS, ...)")
    Path fromCommandConfig;

    @Option(names = "--from-X", paramLabel = "KEY=VALUE",
            description = "a Kafka client property for the internal cluster; repeat for several; wins over --from-command-config")
    Map<String, String> fromProperties = new LinkedHashMap<>();

    @Option(names = {"-g", "--group"}, paramLabel = "GROUP", defaultValue = "qis-bridge",
            description = "consumer group on the internal cluster: its committed offsets are how far the bridge got (default ${DEFAULT-VALUE})")
    String group;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC",
            description = "internal topic for events that cannot be published (default: <from-topic>.dead-letter;"
                    + " created with the source topic's partition count unless --no-create-topics)")
    String deadLetterTopic;

    @Option(names = {"-m", "--mapping"}, paramLabel = "FILE",
            description = "YAML rules giving fields a run cannot carry (see README: From your own Kafka topic)")
    Path mapping;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "500",
            description = "events per federation transaction at most (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "-e", description = "exit once every event the topic held at start is published or dead-lettered"
            + " (a one-off backfill; meant for a single bridge in the group)")
    boolean exitAtEnd;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "serve the counters as Prometheus metrics at http://HOST:PORT/metrics (0 picks a free port)")
    Integer metricsPort;

    @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "how often to print the counters on standard error (default ${DEFAULT-VALUE})")
    Duration progressInterval;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.println(LogSetup.whereTheLogsAre());
        BridgeMapping rules;
        try {
            rules = mapping == null ? BridgeMapping.NONE : BridgeMapping.read(mapping);
        } catch (AdapterException e) {
            throw new InputException(e.reason(), "--mapping " + e.getMessage(), e);
        }
        NodeIdentity node = key.identity();
        Bridge.Settings settings;
        try {
            settings = new Bridge.Settings(internalProperties(), fromTopic, group,
                    deadLetterTopic != null ? deadLetterTopic : fromTopic + ".dead-letter", batch, client.timeout(),
                    topics.createTopics, exitAtEnd, progressInterval);
        } catch (IllegalArgumentException e) {
            throw new InputException(Reason.INVALID_OPTION, e.getMessage(), e);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BridgeCounters counters = new BridgeCounters(registry);
        MetricsEndpoint metrics = null;
        if (metricsPort != null) {
            try {
                metrics = MetricsEndpoint.start(metricsPort, registry);
            } catch (IOException e) {
                throw new InputException(Reason.PORT_IN_USE,
                        "--metrics-port " + metricsPort + ": cannot listen: " + e.getMessage(), e);
            }
            err.println("bridge: metrics at http://localhost:" + metrics.port() + "/metrics");
        }
        EventTranslator translator = new EventTranslator(rules, node, Clock.systemUTC());
        err.println("bridge: " + settings.fromTopic() + " on " + fromBootstrapServers + " -> "
                + client.clientProperties().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) + " as node " + node.nodeId()
                + "; dead letters to " + settings.deadLetterTopic());
        err.flush();
        CountDownLatch done = new CountDownLatch(1);
        try (Bridge bridge = Bridge.open(settings, client.publisherSettings(topics), node, translator, counters, out, err,
                Bridge.Checkpoint.NONE)) {
            Thread hook = new Thread(() -> {
                bridge.stop();
                try {
                    done.await(client.timeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "qis-bridge-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                bridge.run();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook waits for the latch below
                }
            }
        } finally {
            err.println("bridge: " + counters.summary());
            err.flush();
            if (metrics != null) {
                metrics.close();
            }
            done.countDown();
        }
        return QisCommand.EXIT_OK;
    }

    /** The internal cluster's client properties: --from-command-config, then --from-X, then --from-bootstrap-server. */
    private Map<String, Object> internalProperties() {
        Map<String, Object> config = new LinkedHashMap<>();
        if (fromCommandConfig != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(fromCommandConfig)) {
                file.load(in);
            } catch (IOException e) {
                throw new InputException(Reason.FILE_UNREADABLE,
                        "--from-command-config " + fromCommandConfig + ": cannot read: " + e.getMessage(), e);
            }
            file.stringPropertyNames().forEach(k -> config.put(k, file.getProperty(k)));
        }
        config.putAll(fromProperties);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, fromBootstrapServers);
        return config;
    }
}
