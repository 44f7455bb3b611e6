package dev.qis.testing;

import dev.qis.embedded.EmbeddedKafka;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real KRaft broker in the test's JVM for all the tests of a class:
 * {@code @RegisterExtension static final InJvmKafka kafka = new InJvmKafka();} starts it before the first test and
 * stops it after the last. Each test still uses its own application id and topics.
 */
public final class InJvmKafka implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = EmbeddedKafka.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    public String bootstrapServers() {
        if (kafka == null) {
            throw new IllegalStateException("the broker runs only while the test class runs");
        }
        return kafka.bootstrapServers();
    }
}
