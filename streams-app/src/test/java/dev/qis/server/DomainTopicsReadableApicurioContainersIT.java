package dev.qis.server;

import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The domain-topic contract against a Kafka container and Apicurio Registry 3 in a container, through its
 * Confluent-compatible API ({@code /apis/ccompat/v7}). Runs where a Docker daemon answers; skipped otherwise (the
 * same assertions run in {@link DomainTopicsReadableIT}). Images can be changed with
 * {@code -Dqis.it.kafka.image=...} and {@code -Dqis.it.apicurio.image=...}.
 */
@ExtendWith(DockerRequired.class)
@Testcontainers(disabledWithoutDocker = true)
class DomainTopicsReadableApicurioContainersIT extends DomainTopicsReadableContract {
    private static final String CCOMPAT = "/apis/ccompat/v7";

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(System.getProperty("qis.it.kafka.image", "apache/kafka:4.1.0"));

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(
            System.getProperty("qis.it.apicurio.image", "apicurio/apicurio-registry:3.0.6"))
            .withExposedPorts(8080)
            .waitingFor(Wait.forHttp(CCOMPAT + "/subjects").forStatusCode(200));

    @Override
    String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }

    @Override
    String registryUrl() {
        return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080) + CCOMPAT;
    }
}
