package dev.qis.app;

import dev.qis.config.QisConfig;
import dev.qis.topology.AdminDomainTopics;
import dev.qis.topology.QisTopology;
import dev.qis.topology.StreamTopics;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stream app: creates its topics, checks co-partitioning, builds the topology, starts Kafka Streams
 * and waits until it is RUNNING; {@link #close()} stops it. Takes one Properties with {@code bootstrap.servers},
 * the Kafka Streams settings and the {@code qis.*} keys of {@link QisConfig}.
 */
public final class QisStreams implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QisStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final QisConfig config;
    private final Admin admin;
    private KafkaStreams streams;

    public QisStreams(Properties props) {
        this.config = new QisConfig(props);
        Properties streamsProps = config.streamsProperties();
        if (streamsProps.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new IllegalArgumentException(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG + " is required");
        }
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, streamsProps.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        this.admin = Admin.create(adminProps);
    }

    public QisConfig config() {
        return config;
    }

    /** Starts the app and blocks until every task is RUNNING, or fails with the reason. */
    public QisStreams start() {
        Duration timeout = config.startupTimeout();
        StreamTopics topics = new StreamTopics(admin, config.partitions(), config.replicationFactor(),
                config.prefixChars(), timeout);
        topics.createAll();
        topics.checkCoPartitioned();
        var topology = QisTopology.build(config, Clock.systemUTC(),
                new AdminDomainTopics(admin, config.partitions(), config.replicationFactor(), timeout));
        streams = new KafkaStreams(topology, config.streamsProperties());
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<KafkaStreams.State> last = new AtomicReference<>(KafkaStreams.State.CREATED);
        streams.setStateListener((now, before) -> {
            last.set(now);
            if (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.ERROR
                    || now == KafkaStreams.State.NOT_RUNNING) {
                running.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; stopping this instance", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        try {
            if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING within " + timeout
                        + " (state " + streams.state() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka Streams", e);
        }
        if (last.get() != KafkaStreams.State.RUNNING) {
            throw new IllegalStateException("Kafka Streams stopped while starting: " + last.get());
        }
        LOG.info("qis stream app running as {}", config.streamsProperties().get(StreamsConfig.APPLICATION_ID_CONFIG));
        return this;
    }

    /** The running Kafka Streams instance (for interactive queries). */
    public KafkaStreams streams() {
        if (streams == null) {
            throw new IllegalStateException("not started");
        }
        return streams;
    }

    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close(CLOSE_TIMEOUT);
        }
        admin.close(CLOSE_TIMEOUT);
    }
}
