package dev.qis.server;

import dev.qis.registry.InProcessSchemaRegistry;
import dev.qis.testing.InJvmKafka;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The domain-topic contract against the in-JVM broker and the in-process registry: runs everywhere. */
class DomainTopicsReadableIT extends DomainTopicsReadableContract {
    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();
    private static InProcessSchemaRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = InProcessSchemaRegistry.start(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
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
