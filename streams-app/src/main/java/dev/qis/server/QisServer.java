package dev.qis.server;

import dev.qis.config.ConfigException;
import dev.qis.config.QisConfig;
import dev.qis.errors.Reason;
import dev.qis.handlers.StreamThreadFailures;
import dev.qis.metrics.ProcessMemory;
import dev.qis.metrics.QisMeters;
import dev.qis.metrics.StageLag;
import dev.qis.publish.TopicLayout;
import dev.qis.query.PeerClient;
import dev.qis.rest.QueryApi;
import dev.qis.rest.RestAccess;
import dev.qis.rest.RestServer;
import dev.qis.rest.SimulationFeed;
import dev.qis.registry.RegistryFramer;
import dev.qis.registry.SchemaRegistryClient;
import dev.qis.protocol.Topics;
import dev.qis.topics.AdminDomainTopics;
import dev.qis.topology.DomainFraming;
import dev.qis.topology.QisTopology;
import dev.qis.topics.StreamTopics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance of the app as {@code qis serve} runs it: the topics, the stream app, its metrics and the REST API.
 * The API answers from the moment the port is bound (503 until Kafka Streams is RUNNING), so a load balancer's
 * readiness probe sees the instance come up.
 */
public final class QisServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QisServer.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final AdminClient admin;
    private final KafkaStreams streams;
    private final PrometheusMeterRegistry registry;
    private final KafkaStreamsMetrics streamsMetrics;
    private final KafkaClientMetrics adminMetrics;
    private final QueryApi api;
    private final HostInfo self;
    private final SimulationFeed simulation;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private QisServer(AdminClient admin, KafkaStreams streams, PrometheusMeterRegistry registry,
                      KafkaStreamsMetrics streamsMetrics, KafkaClientMetrics adminMetrics, QueryApi api, HostInfo self,
                      SimulationFeed simulation) {
        this.admin = admin;
        this.streams = streams;
        this.registry = registry;
        this.streamsMetrics = streamsMetrics;
        this.adminMetrics = adminMetrics;
        this.api = api;
        this.self = self;
        this.simulation = simulation;
    }

    /** Set once started; read by close. */
    private volatile ActivityReport activity;
    private volatile AutoCloseable gcMetrics;

    /**
     * The routable address of this instance: {@code application.server}, or {@code localhost:<restPort>} when it
     * is not set (enough for one instance on one machine). A wildcard address cannot be routed to and is refused.
     *
     * @param restPort the port the REST API is bound to (the real one when {@code qis.rest.port} is 0)
     */
    public static HostInfo applicationServer(QisConfig config, int restPort) {
        int port = restPort;
        String value = config.get(QisConfig.APPLICATION_SERVER).orElse("localhost:" + port);
        HostInfo host;
        try {
            host = HostInfo.buildFromEndpoint(value);
        } catch (RuntimeException e) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    QisConfig.APPLICATION_SERVER + " must be host:port, got '" + value + "' (from "
                    + config.sourceOf(QisConfig.APPLICATION_SERVER) + ")");
        }
        if (host == null || host.host().equals("0.0.0.0") || host.host().equals("::")) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    QisConfig.APPLICATION_SERVER + " must be an address other instances can reach, "
                    + "not a wildcard: '" + value + "' (from " + config.sourceOf(QisConfig.APPLICATION_SERVER) + ")");
        }
        return host;
    }

    /**
     * Binds the REST port, creates the topics and starts Kafka Streams; returns without waiting for RUNNING
     * ({@link #awaitRunning}). The port is bound first so that with {@code qis.rest.port=0} the stream app is given
     * the real port as its {@code application.server}.
     */
    public static QisServer start(QisConfig given, Clock clock) throws IOException {
        String bootstrap = given.require(QisConfig.BOOTSTRAP_SERVERS);
        applicationServer(given, given.getPort(QisConfig.REST_PORT)); // a bad address fails before anything binds
        Duration queryTimeout = Duration.ofMillis(given.getInt(QisConfig.QUERY_TIMEOUT_MS));
        Duration startupTimeout = given.startupTimeout();
        TopicLayout layout = given.topicLayout();
        // a bad partition count for new domain topics fails here, not after the broker has answered
        TopicLayout domainLayout = new TopicLayout(given.domainTopicsPartitions(), layout.replicationFactor(),
                layout.prefixChars());
        RestAccess access = RestAccess.from(given); // a bad token file or key store fails before anything starts

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AutoCloseable gcMetrics = bindJvmAndProcessMetrics(registry);
        Properties adminProps = new Properties();
        adminProps.putAll(given.streamsProperties());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, given.require(QisConfig.APPLICATION_ID) + "-admin");
        AdminClient admin = AdminClient.create(adminOnly(adminProps));
        KafkaClientMetrics adminMetrics = new KafkaClientMetrics(admin);
        adminMetrics.bindTo(registry);
        QueryApi api = null;
        try {
            api = QueryApi.bind(new InetSocketAddress(given.require(QisConfig.REST_BIND),
                    given.getPort(QisConfig.REST_PORT)), registry, new RestServer.Capacity(
                    given.getPositiveInt(QisConfig.REST_THREADS), given.getPositiveInt(QisConfig.REST_QUEUE)), access);
            HostInfo self = applicationServer(given, api.port());
            QisConfig config = given.with(Map.of(QisConfig.APPLICATION_SERVER, self.host() + ":" + self.port()));
            StreamTopics topics = new StreamTopics(admin, layout, startupTimeout);
            topics.createAll();
            int partitions = topics.checkCoPartitioned();
            if (partitions != layout.partitions()) {
                LOG.warn("the input topics exist with {} partitions, not the configured {} ({}); using {}", partitions,
                        layout.partitions(), QisConfig.TOPIC_PARTITIONS, partitions);
            }
            Optional<DomainFraming> framing = config.registrySettings().map(settings -> {
                LOG.info("domain topics in Schema Registry framing, {}", settings);
                return new RegistryFramer(new SchemaRegistryClient(settings))::frame;
            });
            AdminDomainTopics domainTopics = new AdminDomainTopics(admin, domainLayout, config.domainTopicsMax(),
                    config.domainTopicsCreateWait(), config.domainTopicsRetryBackoff(), clock);
            int existingDomains = domainTopics.loadExisting(startupTimeout);
            LOG.info("{} domain topics exist; the app creates up to {} in all ({}), then routes to {}", existingDomains,
                    config.domainTopicsMax(), QisConfig.DOMAIN_TOPICS_MAX, Topics.DOMAIN_OVERFLOW);
            KafkaStreams streams = new KafkaStreams(QisTopology.build(config, clock, domainTopics,
                    new QisMeters(registry), framing), config.streamsProperties());
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
            new StageLag(streams::metrics).bindTo(registry);
            SimulationFeed simulation = new SimulationFeed();
            api.serve(streams, new QueryApi.Settings(self, queryTimeout, partitions, config.fidelity(), clock,
                    simulation));
            QisServer server = new QisServer(admin, streams, registry, streamsMetrics, adminMetrics, api, self,
                    simulation);
            streams.setStateListener((now, before) -> {
                LOG.info("Kafka Streams {} -> {}", before, now);
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    server.stopped.countDown();
                }
            });
            streams.setUncaughtExceptionHandler(StreamThreadFailures.withDefaults(Clock.systemUTC()));
            streams.start();
            server.gcMetrics = gcMetrics;
            server.activity = ActivityReport.start(registry, streams::state, config.require(QisConfig.BOOTSTRAP_SERVERS));
            LOG.info("REST API on {}://{} ({}; routable as {}), application {}", access.scheme(),
                    boundAddress(api.address()), access.describe(), PeerClient.address(self),
                    config.require(QisConfig.APPLICATION_ID));
            return server;
        } catch (RuntimeException | IOException e) {
            if (api != null) {
                api.close();
            }
            adminMetrics.close();
            admin.close(Duration.ofSeconds(5));
            closeQuietly(gcMetrics);
            registry.close();
            throw e;
        }
    }

    /**
     * Memory (heap and the process's resident set), GC, threads, class loading, CPU, file descriptors and uptime of this JVM and process, beside the app's
     * and Kafka's meters. Returns the GC binder, which listens to GC notifications until closed.
     */
    private static AutoCloseable bindJvmAndProcessMetrics(PrometheusMeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new ProcessMemory().bindTo(registry);
        return gc;
    }

    /** host:port as the socket is bound ({@code 0.0.0.0:8080}, {@code [::1]:8080}), not as it was asked for. */
    static String boundAddress(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Only the keys an admin client knows, so it does not log a warning for every Streams setting. */
    private static Properties adminOnly(Properties all) {
        Properties out = new Properties();
        for (String name : all.stringPropertyNames()) {
            if (AdminClientConfig.configNames().contains(name)) {
                out.put(name, all.getProperty(name));
            }
        }
        return out;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public HostInfo self() {
        return self;
    }

    public int port() {
        return api.port();
    }

    /** Who may use this instance's API and how (token, TLS). */
    public RestAccess access() {
        return api.access();
    }

    /** The base URL of this instance's API on this machine: {@code http://localhost:8080} or https. */
    public String localUrl() {
        return api.access().scheme() + "://localhost:" + api.port();
    }

    /** Where a simulator running beside this instance reports, for {@code GET /v1/simulation}. */
    public SimulationFeed simulation() {
        return simulation;
    }

    /** Waits until Kafka Streams is RUNNING; false when the time ran out or it stopped. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Blocks until Kafka Streams stops by itself (a fatal error); a signal closes the server instead. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops answering queries but stays in the group with its tasks, as an instance does from the moment it dies
     * until the group notices (the session timeout): the other instances must then answer from standby copies.
     */
    void stopAnswering() {
        api.close();
    }

    /**
     * Stops answering, then leaves the consumer group so the other instances take over the partitions at once
     * rather than after the session timeout.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        api.close();
        if (activity != null) {
            activity.close();
        }
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
        streamsMetrics.close();
        adminMetrics.close();
        admin.close(CLOSE_TIMEOUT);
        closeQuietly(gcMetrics);
        registry.close();
        stopped.countDown();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            LOG.debug("closing {}", c, e);
        }
    }
}
