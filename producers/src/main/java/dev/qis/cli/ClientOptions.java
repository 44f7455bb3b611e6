package dev.qis.cli;

import dev.qis.errors.Reason;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import dev.qis.publish.PublisherSettings;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/** The flags every command that talks to Kafka shares: where the brokers are, client properties, the timeout. */
public final class ClientOptions {
    public static final String ENV_BOOTSTRAP = "QIS_BOOTSTRAP_SERVERS";
    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers (default: $" + ENV_BOOTSTRAP + ", else bootstrap.servers from"
                    + " --command-config/-X, else " + DEFAULT_BOOTSTRAP + ")")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "a properties file of Kafka client settings (SASL, TLS, ...)")
    Path commandConfig;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "a Kafka client property, e.g. -X security.protocol=SASL_SSL; repeat for several; wins over --command-config")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "give up on an unreachable or unresponsive broker after this long (30s, 500ms, 2m; default ${DEFAULT-VALUE})")
    Duration timeout;

    /** The client properties: the command-config file, then -X, then -b (or its environment variable). */
    public Map<String, Object> clientProperties() {
        Map<String, Object> config = new LinkedHashMap<>();
        if (commandConfig != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(commandConfig)) {
                file.load(in);
            } catch (IOException e) {
                throw new InputException(Reason.FILE_UNREADABLE,
                        "--command-config " + commandConfig + ": cannot read: " + e.getMessage(), e);
            }
            file.stringPropertyNames().forEach(k -> config.put(k, file.getProperty(k)));
        }
        config.putAll(properties);
        String env = System.getenv(ENV_BOOTSTRAP);
        if (bootstrapServers != null) {
            config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        } else if (!config.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, env != null && !env.isBlank() ? env : DEFAULT_BOOTSTRAP);
        }
        return config;
    }

    /** Publisher settings from these flags: transactional, creating topics as {@code topics} says. */
    public PublisherSettings publisherSettings(TopicOptions topics) {
        return new PublisherSettings(clientProperties(), topics.layout(), timeout, true, topics.createTopics);
    }

    public Duration timeout() {
        return timeout;
    }
}
