package dev.qis.command;

import dev.qis.cli.LogOptions;
import dev.qis.cli.LogSetup;
import dev.qis.cli.QisCommand;
import dev.qis.config.ConfigException;
import dev.qis.config.QisConfig;
import dev.qis.errors.Reason;
import dev.qis.rest.RestAccess;
import dev.qis.server.QisServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code qis serve}: runs one instance of the stream app and its REST API against a Kafka cluster until SIGTERM or
 * Ctrl-C. More instances with the same application.id share the partitions.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the stream app and its REST API against a Kafka cluster (bootstrap.servers required).",
                "Configuration, each overriding the one before: defaults, --config FILE, QIS_* environment "
                        + "variables (QIS_BOOTSTRAP_SERVERS, QIS_REST_PORT, ...), the flags below."})
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);


    @Mixin
    LogOptions logOptions;

    @Option(names = "--config", paramLabel = "FILE", description = "A Java properties file.")
    Path configFile;

    @Option(names = {"-b", "--bootstrap-server", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]", description = "The Kafka cluster.")
    String bootstrapServers;

    @Option(names = "--port", description = "REST port (qis.rest.port, default 8080).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address the REST API binds (qis.rest.bind, default 0.0.0.0).")
    String bind;

    @Option(names = "--application-server", paramLabel = "HOST:PORT",
            description = "This instance's routable address for forwarded queries (default localhost:<port>).")
    String applicationServer;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Require a bearer token from this file "
            + "(qis.rest.auth.token.file; one token a line, read again when it changes; default: none, the API is open).")
    Path tokenFile;

    /** The environment; replaced in tests. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws Exception {
        QisConfig config = QisConfig.load(Optional.ofNullable(configFile), environment, overrides());
        if (!config.hasBootstrapServers()) {
            throw new ConfigException(Reason.MISSING_SETTING,
                    "qis serve needs bootstrap.servers: set it in the --config file, with "
                    + QisConfig.envOf(QisConfig.BOOTSTRAP_SERVERS) + ", or with -b/--bootstrap-server "
                    + "(qis demo starts a broker of its own)");
        }
        QisServer.applicationServer(config, config.getPort(QisConfig.REST_PORT)); // refuse a bad address before anything starts
        RestAccess.from(config); // and a token file or key store that cannot be read
        config.registrySettings();
        config.registryRetryInterval();
        LOG.info(LogSetup.whereTheLogsAre());
        LOG.info("effective configuration (value and source):");
        config.describe().forEach((k, v) -> LOG.info("  {} = {}", k, v));

        QisServer server = QisServer.start(config, Clock.systemUTC());
        AtomicBoolean signalled = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            signalled.set(true);
            LOG.info("stopping: closing the REST API and leaving the group");
            server.close();
        }, "qis-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server.awaitStopped();
        if (!signalled.get()) {
            LOG.error("Kafka Streams stopped ({}); exiting", server.streams().state());
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
            return QisCommand.EXIT_FAILURE;
        }
        return QisCommand.EXIT_OK;
    }

    private Map<String, String> overrides() {
        Map<String, String> flags = new LinkedHashMap<>();
        if (bootstrapServers != null) {
            flags.put(QisConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (port != null) {
            flags.put(QisConfig.REST_PORT, port.toString());
        }
        if (bind != null) {
            flags.put(QisConfig.REST_BIND, bind);
        }
        if (applicationServer != null) {
            flags.put(QisConfig.APPLICATION_SERVER, applicationServer);
        }
        if (tokenFile != null) {
            flags.put(QisConfig.REST_AUTH_TOKEN_FILE, tokenFile.toString());
        }
        return flags;
    }
}
