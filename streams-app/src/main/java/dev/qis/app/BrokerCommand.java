package dev.qis.app;

import dev.qis.cli.InputException;
import dev.qis.cli.LogOptions;
import dev.qis.cli.LogSetup;
import dev.qis.cli.QisCommand;
import dev.qis.embedded.EmbeddedKafka;
import dev.qis.embedded.KRaftCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code qis broker}: an in-process KRaft cluster of one or more brokers, for running several {@code qis serve}
 * instances on one machine without installing Kafka. Not for production: its data is deleted when it stops.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run an in-process Kafka cluster (KRaft: N brokers and one controller) until Ctrl-C.",
            "Prints bootstrap.servers=HOST:PORT,... on standard output once the brokers are ready.",
            "For local experiments only: its data lives in a temporary directory deleted on exit; Kafka's own log "
                + "lines go to the log file (--log-file), not the console."})
public final class BrokerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerCommand.class);


    @Spec
    CommandSpec spec;

    @Mixin
    LogOptions logOptions;

    @Option(names = "--brokers", defaultValue = "1", description = "Number of brokers (default ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--bootstrap-file", paramLabel = "FILE",
            description = "Also write bootstrap.servers=... to FILE (for scripts), removed on exit.")
    Path bootstrapFile;

    @Override
    public Integer call() throws Exception {
        if (brokers < 1 || brokers > KRaftCluster.MAX_BROKERS) {
            throw new InputException("--brokers must be 1-" + KRaftCluster.MAX_BROKERS + ", got " + brokers);
        }
        LOG.info(LogSetup.whereTheLogsAre());
        LOG.info("starting {} in-process Kafka broker(s)...", brokers);
        EmbeddedKafka kafka = EmbeddedKafka.start(brokers);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping the brokers and deleting {}", kafka.directory());
            try {
                kafka.close();
                if (bootstrapFile != null) {
                    Files.deleteIfExists(bootstrapFile);
                }
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.getMessage());
            } finally {
                stop.countDown();
            }
        }, "qis-broker-shutdown"));
        String line = "bootstrap.servers=" + kafka.bootstrapServers();
        if (bootstrapFile != null) {
            Path tmp = bootstrapFile.resolveSibling(bootstrapFile.getFileName() + ".tmp");
            Files.writeString(tmp, line + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, bootstrapFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
        LOG.info("{} broker(s) ready at {}; Ctrl-C stops them", brokers, kafka.bootstrapServers());
        stop.await();
        return QisCommand.EXIT_OK;
    }
}
