package dev.qis.command;

import dev.qis.cli.InputException;
import dev.qis.cli.LogOptions;
import dev.qis.cli.LogSetup;
import dev.qis.cli.QisCommand;
import dev.qis.config.QisConfig;
import dev.qis.embedded.EmbeddedKafka;
import dev.qis.errors.Reason;
import dev.qis.protocol.Topics;
import dev.qis.publish.PublisherSettings;
import dev.qis.registry.InProcessSchemaRegistry;
import dev.qis.registry.RegistrySettings;
import dev.qis.rest.BearerAuth;
import dev.qis.rest.RestAccess;
import dev.qis.rest.RestTls;
import dev.qis.server.QisServer;
import dev.qis.server.SimulationFeedListener;
import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationReport;
import dev.qis.simulation.network.KafkaHttpNetwork;
import dev.qis.simulation.report.ReportWriter;
import dev.qis.simulation.rounds.EcosystemSimulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qis demo}: the whole loop on one machine. Without {@code bootstrap.servers} it starts an in-process Kafka
 * broker; then the stream app and its REST API, and the ecosystem simulator in the background so the queries have
 * real answers. Ctrl-C stops everything and deletes what the demo created.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole system on this machine, with a simulated federation feeding it.",
            "Starts an in-process Kafka broker (unless bootstrap.servers is configured), the stream app with its REST "
                + "API, and the ecosystem simulator publishing signed packets, asking for syntheses and voting. "
                + "Prints curl commands to try; Ctrl-C stops everything and deletes what the demo created.",
            "The console shows the app's own lines; Kafka's internals go to a log file (its path is printed first)."})
public final class DemoCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
    private static final Duration STARTUP = Duration.ofSeconds(120);

    @Spec
    CommandSpec spec;

    @Mixin
    LogOptions logOptions;

    @Option(names = "--config", paramLabel = "FILE", description = "A Java properties file (see deploy/README.md).")
    Path configFile;

    @Option(names = "--port", description = "REST port (qis.rest.port, default 8080).")
    Integer port;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Require a bearer token from this file on the "
            + "API (qis.rest.auth.token.file; one token a line; the simulator and the printed examples use the first).")
    Path tokenFile;

    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT[,...]",
            description = "Use this Kafka cluster instead of starting one in-process.")
    String bootstrapServers;

    @Option(names = "--nodes", defaultValue = "80", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--domains", defaultValue = "8", description = "Simulated domains (default ${DEFAULT-VALUE}).")
    int domains;

    @Option(names = "--rounds", defaultValue = "8", description = "Simulated rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--seed", defaultValue = "42", description = "Simulation seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-simulate", description = "Start the broker and the app only; publish with 'qis publish'.")
    boolean noSimulate;

    @Option(names = "--registry-port", defaultValue = "8081", paramLabel = "PORT",
            description = "Port of the schema registry the demo serves in-process, whose framing its domain topics "
                    + "carry so that registry-aware Kafka tools read them (default ${DEFAULT-VALUE}; 0 picks a free "
                    + "one). Not started when schema.registry.url is configured.")
    int registryPort;

    @Option(names = "--no-registry", description = "No schema registry: domain topics keep the single-object encoding.")
    boolean noRegistry;

    /** The environment; replaced in tests. */
    Map<String, String> environment = System.getenv();

    /** Released to stop a running demo (tests; Ctrl-C goes through the shutdown hook). */
    public final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        QisConfig config = loadConfig();
        SimulationConfig simulation = simulationConfig();
        PrintWriter out = spec.commandLine().getOut();

        Resources resources = new Resources();
        Thread hook = new Thread(() -> {
            LOG.info("stopping the demo...");
            stop.countDown();
            resources.close();
        }, "qis-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info(LogSetup.whereTheLogsAre());
        try {
            String bootstrap;
            if (config.hasBootstrapServers()) {
                bootstrap = config.require(QisConfig.BOOTSTRAP_SERVERS);
                LOG.info("using the Kafka cluster at {}", bootstrap);
            } else {
                LOG.info("no bootstrap.servers configured: starting an in-process Kafka broker...");
                resources.kafka = EmbeddedKafka.start(1);
                bootstrap = resources.kafka.bootstrapServers();
                LOG.info("in-process Kafka broker ready at {}", bootstrap);
            }
            Map<String, String> set = new LinkedHashMap<>();
            set.put(QisConfig.BOOTSTRAP_SERVERS, bootstrap);
            if (config.get(QisConfig.STATE_DIR).isEmpty()) {
                // a fresh broker each run: state from an earlier run would not match its topics
                resources.stateDir = Files.createTempDirectory("qis-demo-state-");
                set.put(QisConfig.STATE_DIR, resources.stateDir.toString());
            }
            Optional<String> registryUrl = config.get(RegistrySettings.URL);
            if (registryUrl.isEmpty() && !noRegistry) {
                try {
                    resources.registry = InProcessSchemaRegistry.start(new InetSocketAddress(
                            config.require(QisConfig.REST_BIND), registryPort));
                } catch (BindException e) {
                    throw new InputException(Reason.PORT_IN_USE,
                            "schema registry port " + registryPort + " is in use: " + e.getMessage()
                            + " (choose another with --registry-port, or --no-registry)");
                }
                registryUrl = Optional.of(resources.registry.url());
                set.put(RegistrySettings.URL, registryUrl.get());
                LOG.info("in-process schema registry at {}", registryUrl.get());
            } else if (noRegistry) {
                set.put(RegistrySettings.URL, "");
            }
            config = config.with(set);
            String registry = registryUrl.filter(u -> !noRegistry).orElse(null);

            try {
                resources.server = QisServer.start(config, Clock.systemUTC());
            } catch (BindException e) {
                throw new InputException(Reason.PORT_IN_USE,
                        "port " + config.getPort(QisConfig.REST_PORT) + " is in use: " + e.getMessage()
                        + " (choose another with --port)");
            }
            if (!resources.server.awaitRunning(STARTUP)) {
                LOG.error("the stream app did not reach RUNNING within {} (state {})", STARTUP,
                        resources.server.streams().state());
                return QisCommand.EXIT_FAILURE;
            }
            String api = resources.server.localUrl();
            LOG.info("stream app RUNNING; REST API at {}", api);
            if (registry != null) {
                printRegistry(out, bootstrap, registry, simulation.domainName(1));
            }

            if (noSimulate) {
                printPublishThis(out, api, bootstrap, auth(resources.server));
            } else {
                startSimulator(resources, config, bootstrap, URI.create(api), simulation, out);
            }
            stop.await();
            return QisCommand.EXIT_OK;
        } finally {
            if (stop.getCount() > 0) { // not stopped by a signal: tidy up here
                stop.countDown();
                resources.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already exiting; the hook does the rest
                }
            }
        }
    }

    private void startSimulator(Resources resources, QisConfig config, String bootstrap, URI api,
                                SimulationConfig simulation, PrintWriter out) {
        PublisherSettings settings = PublisherSettings.forBootstrap(bootstrap)
                .withLayout(config.topicLayout());
        AtomicBoolean printed = new AtomicBoolean();
        ProgressListener progress = new ProgressListener() {
            @Override
            public void roundFinished(SimulationReport.RoundResult r, int rounds) {
                LOG.info("simulation round {}/{}: {} packets stored; honest mean true gain {} with the loop, "
                                + "{} without coordination", r.round(), rounds, r.packetsStored(),
                        String.format("%.4f", r.loopGain()), String.format("%.4f", r.noCoordinationGain()));
                if (printed.compareAndSet(false, true)) {
                    printTryThis(out, api.toString(), simulation, bootstrap, auth(resources.server));
                }
            }

            @Override
            public void warning(String message) {
                LOG.warn("simulation: {}", message);
            }
        };
        SimulationFeedListener fed = new SimulationFeedListener(resources.server.simulation(), simulation, progress);
        resources.simulator = new Thread(() -> {
            RestAccess access = resources.server.access();
            try (KafkaHttpNetwork network = KafkaHttpNetwork.open(settings, api,
                    access.bearer().map(BearerAuth::ownToken), access.tls().map(RestTls::context))) {
                resources.network = network;
                LOG.info("simulating {} nodes over {} domains for {} rounds (seed {})...", simulation.nodes(),
                        simulation.domains(), simulation.rounds(), simulation.seed());
                SimulationReport report = new EcosystemSimulator().run(simulation, network, fed);
                out.println();
                out.print(ReportWriter.text(report));
                out.println();
                out.println("The simulation is over; the app keeps serving. Ctrl-C stops the demo.");
                out.flush();
            } catch (RuntimeException e) {
                fed.failed(e.getMessage());
                if (stop.getCount() > 0) {
                    LOG.error("the simulation stopped: {}", e.getMessage(), e);
                }
            }
        }, "qis-demo-simulator");
        resources.simulator.setDaemon(true);
        resources.simulator.start();
        out.println("Web console: " + api + "/ (watch the simulation converge on its Loop page)");
        out.flush();
    }

    /** Where the domain topics' schemas are, and two ways to read a domain topic with them. */
    private static void printRegistry(PrintWriter out, String bootstrap, String registry, String domain) {
        out.println();
        out.println("Schema registry: " + registry + " (the domain topics are in its framing). Read one with:");
        out.println("  ./qis subscribe -b " + bootstrap + " --domain " + domain + " --from-beginning -e -r " + registry);
        out.println("  kcat -b " + bootstrap + " -C -t " + Topics.domain(domain) + " -s key=s -s value=avro -r "
                + registry + " -e");
        out.flush();
    }

    /**
     * What the printed examples add for an API with a token: a curl header and a qis query flag reading the file
     * (never the token itself); empty strings for an open API.
     */
    private record Auth(String curl, String query) {
    }

    private static Auth auth(QisServer server) {
        return server.access().bearer().map(b -> {
            String file = b.tokenFile().toString();
            return new Auth(" -H \"Authorization: Bearer $(head -n1 " + file + ")\"", " --token-file " + file);
        }).orElse(new Auth("", ""));
    }

    private static void printTryThis(PrintWriter out, String api, SimulationConfig simulation, String bootstrap,
                                     Auth auth) {
        String domain = simulation.domainName(1);
        String family = simulation.families().get(0);
        out.println();
        out.println("QIS is running. Kafka: " + bootstrap + "   REST: " + api + "   Console: " + api + "/");
        out.println("Try:");
        out.println("  curl -s" + auth.curl() + " " + api + "/v1/domains");
        out.println("  curl -s" + auth.curl() + " '" + api + "/v1/domains/" + domain + "/top?k=5'");
        out.println("  curl -s" + auth.curl() + " '" + api + "/v1/domains/" + domain + "/synthesis?family=" + family + "'");
        out.println("More: " + api + "/openapi.yaml, " + api + "/metrics, ./qis query --help. Ctrl-C stops the demo.");
        out.println();
        out.flush();
    }

    /** Without the simulator the stores start empty: publish the examples first. */
    private static void printPublishThis(PrintWriter out, String api, String bootstrap, Auth auth) {
        out.println();
        out.println("QIS is running. Kafka: " + bootstrap + "   REST: " + api + "   Console: " + api + "/");
        out.println("Publish the examples, then ask (or watch them arrive in the web console):");
        out.println("  ./qis publish -b " + bootstrap + " --input examples/packets.jsonl");
        out.println("  curl -s" + auth.curl() + " " + api + "/v1/domains");
        out.println("  ./qis query --api " + api + auth.query() + " --pretty top clinical-note-summarization");
        out.println("More: " + api + "/openapi.yaml, " + api + "/metrics, ./qis query --help. Ctrl-C stops the demo.");
        out.println();
        out.flush();
    }

    private QisConfig loadConfig() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (port != null) {
            overrides.put(QisConfig.REST_PORT, Integer.toString(port));
        }
        if (bootstrapServers != null) {
            overrides.put(QisConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (tokenFile != null) {
            overrides.put(QisConfig.REST_AUTH_TOKEN_FILE, tokenFile.toString());
        }
        QisConfig config = QisConfig.load(Optional.ofNullable(configFile), environment, overrides);
        QisServer.applicationServer(config, config.getPort(QisConfig.REST_PORT));
        RestAccess.from(config); // a token file or key store that cannot be read is a usage error
        config.registrySettings();
        config.registryRetryInterval();
        return config;
    }

    private SimulationConfig simulationConfig() {
        try {
            return SimulationConfig.defaults().withNodes(nodes).withDomains(domains).withRounds(rounds).withSeed(seed)
                    .withByzantine(SimulationConfig.DEFAULT_BYZANTINE_SHARE, Math.max(2, nodes / 10));
        } catch (RuntimeException e) {
            throw new InputException(Reason.INVALID_OPTION, e.getMessage(), e);
        }
    }

    /** What the demo started, closed in reverse order exactly once. */
    private static final class Resources {
        volatile EmbeddedKafka kafka;
        volatile InProcessSchemaRegistry registry;
        volatile Path stateDir;
        volatile QisServer server;
        volatile Thread simulator;
        volatile KafkaHttpNetwork network;
        private final AtomicBoolean closed = new AtomicBoolean();

        void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (simulator != null) {
                simulator.interrupt();
                KafkaHttpNetwork n = network;
                if (n != null) {
                    quietly(n::close);
                }
            }
            if (server != null) {
                quietly(server::close);
            }
            if (registry != null) {
                quietly(registry::close);
            }
            if (kafka != null) {
                quietly(kafka::close);
            }
            if (stateDir != null) {
                quietly(() -> deleteTree(stateDir));
            }
        }

        private static void quietly(Runnable r) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("while stopping: {}", e.getMessage());
            }
        }

        private static void deleteTree(Path dir) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
