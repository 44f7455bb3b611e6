package dev.qis.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against the in-process registry: ids, versions, compatibility, refusals, credentials, failover. */
class SchemaRegistryClientTest {
    private static final Schema V1 = SchemaBuilder.record("Reading").namespace("test").fields()
            .requiredString("sensor").requiredDouble("value").endRecord();
    private static final Schema V2_COMPATIBLE = SchemaBuilder.record("Reading").namespace("test").fields()
            .requiredString("sensor").requiredDouble("value").name("unit").type().stringType().stringDefault("C")
            .endRecord();
    /** A double cannot be read as a string: readers of this schema cannot read what V1 and V2 wrote. */
    private static final Schema V3_INCOMPATIBLE = SchemaBuilder.record("Reading").namespace("test").fields()
            .requiredString("sensor").requiredString("value").endRecord();

    private InProcessSchemaRegistry registry;
    private SchemaRegistryClient client;

    @BeforeEach
    void start() throws IOException {
        registry = InProcessSchemaRegistry.start(new InetSocketAddress("127.0.0.1", 0));
        client = new SchemaRegistryClient(RegistrySettings.of(registry.url()));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void registeringTheSameSchemaTwiceGivesTheSameIdAndOneVersion() {
        int id = client.register("readings-value", V1);
        assertEquals(id, client.register("readings-value", V1));
        assertEquals(List.of(1), client.versions("readings-value"));
        assertEquals(V1, client.schemaById(id));
    }

    @Test
    void aBackwardCompatibleSchemaIsANewVersionAndAnIncompatibleOneIsRefusedWithTheReason() {
        client.register("readings-value", V1);
        client.setCompatibility("readings-value", "BACKWARD");
        int v2 = client.register("readings-value", V2_COMPATIBLE);
        assertEquals(List.of(1, 2), client.versions("readings-value"));

        RegistryException e = assertThrows(RegistryException.class,
                () -> client.register("readings-value", V3_INCOMPATIBLE));
        assertEquals(RegistryException.Reason.REFUSED, e.reason());
        assertEquals(409, e.errorCode());
        assertTrue(e.getMessage().contains("readings-value") && e.getMessage().contains("value"), e.getMessage());
        assertNotEquals(0, v2);
    }

    @Test
    void anUnknownSubjectHasNoVersionsAndNoCompatibilityOfItsOwn() {
        assertEquals(List.of(), client.versions("nothing-value"));
        assertEquals(Optional.empty(), client.compatibility("nothing-value"));
    }

    @Test
    void anUnknownIdIsNotFound() {
        RegistryException e = assertThrows(RegistryException.class, () -> client.schemaById(99));
        assertEquals(RegistryException.Reason.NOT_FOUND, e.reason());
        assertEquals(40403, e.errorCode());
    }

    @Test
    void anUnreachableRegistryIsReportedWithItsUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SchemaRegistryClient dead = new SchemaRegistryClient(RegistrySettings.of("http://127.0.0.1:" + port));
        RegistryException e = assertThrows(RegistryException.class, () -> dead.register("x-value", V1));
        assertEquals(RegistryException.Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().contains("http://127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void theNextUrlIsTriedWhenOneDoesNotAnswer() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SchemaRegistryClient failover = new SchemaRegistryClient(RegistrySettings.of(
                "http://127.0.0.1:" + port + "," + registry.url()));
        assertEquals(1, failover.register("x-value", V1));
    }

    @Test
    void basicAuthCredentialsComeFromUserInfoOrTheUrl() throws IOException {
        try (InProcessSchemaRegistry secured = InProcessSchemaRegistry.start(new InetSocketAddress("127.0.0.1", 0),
                Optional.of("alice:s3cret"))) {
            String url = secured.url();
            RegistryException e = assertThrows(RegistryException.class,
                    () -> new SchemaRegistryClient(RegistrySettings.of(url)).register("x-value", V1));
            assertEquals(RegistryException.Reason.UNAUTHORIZED, e.reason());
            assertTrue(e.getMessage().contains(RegistrySettings.USER_INFO), e.getMessage());

            SchemaRegistryClient withUserInfo = new SchemaRegistryClient(RegistrySettings.from(Map.of(
                    RegistrySettings.URL, url, RegistrySettings.CREDENTIALS_SOURCE, "USER_INFO",
                    RegistrySettings.USER_INFO, "alice:s3cret")).orElseThrow());
            int id = withUserInfo.register("x-value", V1);

            SchemaRegistryClient withUrl = new SchemaRegistryClient(RegistrySettings.from(Map.of(
                    RegistrySettings.URL, url.replace("http://", "http://alice:s3cret@"),
                    RegistrySettings.CREDENTIALS_SOURCE, "URL")).orElseThrow());
            assertEquals(V1, withUrl.schemaById(id));
        }
    }

    @Test
    void aTlsRegistryIsTrustedThroughTheTrustStoreSettings(@TempDir Path dir) throws Exception {
        Path serverKeys = dir.resolve("registry.p12");
        Path cert = dir.resolve("registry.crt");
        Path trust = dir.resolve("trust.jks");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", serverKeys.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit");
        keytool("-exportcert", "-alias", "registry", "-keystore", serverKeys.toString(), "-storepass", "changeit",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-keystore",
                trust.toString(), "-storetype", "JKS", "-storepass", "changeit");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(serverKeys)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);

        try (InProcessSchemaRegistry secured = InProcessSchemaRegistry.start(new InetSocketAddress("127.0.0.1", 0),
                Optional.empty(), Optional.of(serverTls))) {
            assertTrue(secured.url().startsWith("https://"), secured.url());
            RegistryException untrusted = assertThrows(RegistryException.class,
                    () -> new SchemaRegistryClient(RegistrySettings.of(secured.url())).register("x-value", V1));
            assertEquals(RegistryException.Reason.UNREACHABLE, untrusted.reason(), untrusted.getMessage());

            SchemaRegistryClient trusting = new SchemaRegistryClient(RegistrySettings.from(Map.of(
                    RegistrySettings.URL, secured.url(),
                    RegistrySettings.TRUSTSTORE_LOCATION, trust.toString(),
                    RegistrySettings.TRUSTSTORE_PASSWORD, "changeit",
                    RegistrySettings.TRUSTSTORE_TYPE, "JKS")).orElseThrow());
            assertEquals(V1, trusting.schemaById(trusting.register("x-value", V1)));
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "keytool " + String.join(" ", args) + ": " + output);
    }

    @Test
    void badSettingsNameTheKey() {
        assertEquals(Optional.empty(), RegistrySettings.from(Map.of()));
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> RegistrySettings.of("localhost:8081"));
        assertTrue(url.getMessage().contains(RegistrySettings.URL), url.getMessage());
        IllegalArgumentException source = assertThrows(IllegalArgumentException.class,
                () -> RegistrySettings.from(Map.of(RegistrySettings.URL, "http://r:8081",
                        RegistrySettings.CREDENTIALS_SOURCE, "SASL_INHERIT")));
        assertTrue(source.getMessage().contains(RegistrySettings.CREDENTIALS_SOURCE), source.getMessage());
        IllegalArgumentException store = assertThrows(IllegalArgumentException.class,
                () -> RegistrySettings.from(Map.of(RegistrySettings.URL, "https://r:8081",
                        RegistrySettings.TRUSTSTORE_LOCATION, "/nonexistent/truststore.jks")));
        assertTrue(store.getMessage().contains(RegistrySettings.TRUSTSTORE_LOCATION), store.getMessage());
    }
}
