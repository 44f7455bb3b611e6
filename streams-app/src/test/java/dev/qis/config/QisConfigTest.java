package dev.qis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.errors.Reason;
import dev.qis.store.DeletionCompaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QisConfigTest {
    @TempDir
    Path dir;

    @Test
    void tasksDoNotIdleForEmptyInputsUnlessConfigured() {
        QisConfig none = QisConfig.load(Optional.empty(), Map.of(), Map.of());
        assertEquals("-1", none.streamsProperties().getProperty("max.task.idle.ms"));
        QisConfig set = QisConfig.load(Optional.empty(), Map.of(), Map.of("max.task.idle.ms", "0"));
        assertEquals("0", set.streamsProperties().getProperty("max.task.idle.ms"));
    }

    @Test
    void storesCompactFilesDenseInDeletionsUnlessAnotherSetterIsNamed() {
        QisConfig none = QisConfig.load(Optional.empty(), Map.of(), Map.of());
        assertEquals(DeletionCompaction.class.getName(), none.streamsProperties().getProperty("rocksdb.config.setter"));
        QisConfig set = QisConfig.load(Optional.empty(), Map.of(), Map.of("rocksdb.config.setter", "com.example.Mine"));
        assertEquals("com.example.Mine", set.streamsProperties().getProperty("rocksdb.config.setter"));
    }

    @Test
    void domainTopicsGetOnePartitionUnlessConfigured() {
        assertEquals(1, QisConfig.load(Optional.empty(), Map.of(), Map.of()).domainTopicsPartitions());
        assertEquals(6, QisConfig.load(Optional.empty(), Map.of("QIS_DOMAIN_TOPICS_PARTITIONS", "6"), Map.of())
                .domainTopicsPartitions());
        QisConfig zero = QisConfig.load(Optional.empty(), Map.of(), Map.of(QisConfig.DOMAIN_TOPICS_PARTITIONS, "0"));
        ConfigException e = assertThrows(ConfigException.class, zero::domainTopicsPartitions);
        assertTrue(e.getMessage().contains("qis.domain.topics.partitions must be at least 1, got 0"), e.getMessage());
    }

    @Test
    void layersOverrideInOrder() throws Exception {
        Path file = dir.resolve("qis.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nqis.rest.port=9000\napplication.id=from-file\n");
        QisConfig config = QisConfig.load(Optional.of(file),
                Map.of("QIS_REST_PORT", "9100", "QIS_BOOTSTRAP_SERVERS", "env:9092", "HOME", "/root"),
                Map.of("bootstrap.servers", "flag:9092"));
        assertEquals("flag:9092", config.require("bootstrap.servers"));
        assertEquals(9100, config.getPort(QisConfig.REST_PORT));
        assertEquals("from-file", config.require(QisConfig.APPLICATION_ID));
        assertEquals("environment QIS_REST_PORT", config.sourceOf(QisConfig.REST_PORT));
        assertEquals("6", config.require(QisConfig.TOPIC_PARTITIONS));
        assertFalse(config.asProperties().containsKey("home"));
    }

    @Test
    void aSchemaRegistryIsConfiguredUnderTheNamesKafkaUsersKnow() {
        QisConfig none = QisConfig.load(Optional.empty(), Map.of(), Map.of());
        assertEquals(Optional.empty(), none.registrySettings(), "unset: domain topics keep the single-object encoding");

        QisConfig config = QisConfig.load(Optional.empty(), Map.of("QIS_SCHEMA_REGISTRY_URL", "http://r1:8081,http://r2:8081",
                "QIS_BASIC_AUTH_USER_INFO", "qis:s3cret", "QIS_REGISTRY_RETRY_INTERVAL", "PT2S"), Map.of());
        var settings = config.registrySettings().orElseThrow();
        assertEquals(2, settings.urls().size());
        assertEquals(Optional.of("qis:s3cret"), settings.userInfo());
        assertEquals(java.time.Duration.ofSeconds(2), config.registryRetryInterval());
        assertFalse(config.streamsProperties().containsKey("schema.registry.url"), "not passed to Kafka Streams");
        assertFalse(config.streamsProperties().containsKey("basic.auth.user.info"));
        assertTrue(config.describe().get("basic.auth.user.info").startsWith("[hidden]"));

        QisConfig bad = QisConfig.load(Optional.empty(), Map.of("QIS_SCHEMA_REGISTRY_URL", "r1:8081"), Map.of());
        ConfigException e = assertThrows(ConfigException.class, bad::registrySettings);
        assertTrue(e.getMessage().contains("schema.registry.url") && e.getMessage().contains("QIS_SCHEMA_REGISTRY_URL"),
                e.getMessage());
    }

    @Test
    void environmentNamesMapToKeys() {
        assertEquals("qis.rest.port", QisConfig.keyOfEnv("QIS_REST_PORT"));
        assertEquals("application.server", QisConfig.keyOfEnv("QIS_APPLICATION_SERVER"));
        assertEquals("QIS_REST_PORT", QisConfig.envOf("qis.rest.port"));
        assertEquals("QIS_BOOTSTRAP_SERVERS", QisConfig.envOf("bootstrap.servers"));
    }

    @Test
    void badValuesNameTheKeyAndTheSource() {
        QisConfig config = QisConfig.load(Optional.empty(), Map.of("QIS_REST_PORT", "eighty"), Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> config.getPort(QisConfig.REST_PORT));
        assertTrue(e.getMessage().contains("qis.rest.port") && e.getMessage().contains("QIS_REST_PORT"), e.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> QisConfig.load(Optional.of(dir.resolve("nope.properties")), Map.of(), Map.of()));
        assertTrue(missing.getMessage().contains("nope.properties"), missing.getMessage());
        assertFalse(config.hasBootstrapServers());
        assertEquals(Reason.INVALID_SETTING, e.reason());
        assertEquals(Reason.FILE_UNREADABLE, missing.reason());
        assertEquals(Reason.MISSING_SETTING, assertThrows(ConfigException.class,
                () -> config.require(QisConfig.BOOTSTRAP_SERVERS)).reason());
        assertEquals(2, e.exitCode(), "a setting is the user's input");
    }

    @Test
    void restCapacityDefaultsAndMustBePositive() {
        QisConfig defaults = QisConfig.load(Optional.empty(), Map.of(), Map.of());
        assertEquals(96, defaults.getPositiveInt(QisConfig.REST_THREADS));
        assertEquals(256, defaults.getPositiveInt(QisConfig.REST_QUEUE));
        QisConfig config = QisConfig.load(Optional.empty(), Map.of("QIS_REST_THREADS", "8", "QIS_REST_QUEUE", "0"),
                Map.of());
        assertEquals(8, config.getPositiveInt(QisConfig.REST_THREADS));
        ConfigException e = assertThrows(ConfigException.class, () -> config.getPositiveInt(QisConfig.REST_QUEUE));
        assertTrue(e.getMessage().contains("qis.rest.queue must be at least 1, got 0")
                && e.getMessage().contains("QIS_REST_QUEUE"), e.getMessage());
    }

    @Test
    void badDurationsAndNumbersNameTheKey() {
        QisConfig config = QisConfig.load(Optional.empty(),
                Map.of("QIS_FIDELITY_HALF_LIFE", "30 days", "QIS_STARTUP_TIMEOUT", "soon",
                        "QIS_FIDELITY_ROUTE_THRESHOLD", "low"), Map.of());
        ConfigException halfLife = assertThrows(ConfigException.class, config::fidelity);
        assertTrue(halfLife.getMessage().contains("qis.fidelity.half.life"), halfLife.getMessage());
        ConfigException startup = assertThrows(ConfigException.class, config::startupTimeout);
        assertTrue(startup.getMessage().contains("QIS_STARTUP_TIMEOUT"), startup.getMessage());
    }

    @Test
    void secretsAreMaskedWhenDescribed() {
        QisConfig config = QisConfig.load(Optional.empty(), Map.of(),
                Map.of("sasl.jaas.config", "org.apache.kafka...PlainLoginModule required password=\"x\";"));
        assertTrue(config.describe().get("sasl.jaas.config").startsWith("[hidden]"));
    }
}
