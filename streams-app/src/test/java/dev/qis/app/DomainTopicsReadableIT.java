package dev.qis.app;

import dev.qis.embedded.EmbeddedKafka;
import dev.qis.registry.InProcessSchemaRegistry;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The domain-topic contract against the in-JVM broker and the in-process registry: runs everywhere. */
class DomainTopicsReadableIT extends DomainTopicsReadableContract {
    private static EmbeddedKafka kafka;
    private static InProcessSchemaRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        registry = InProcessSchemaRegistry.start(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Override
    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    String registryUrl() {
        return registry.url();
    }
}
