package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.ConfigException;
import dev.qis.config.QisConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The qis.rest.auth.* and qis.rest.tls.* keys: what they turn on, and a clear error for each wrong one. */
class RestAccessTest {
    @TempDir
    Path dir;

    private static RestAccess from(Map<String, String> env, Map<String, String> flags) {
        return RestAccess.from(QisConfig.load(Optional.empty(), env, flags));
    }

    @Test
    void offByDefault() {
        RestAccess access = from(Map.of(), Map.of());
        assertTrue(access.bearer().isEmpty() && access.tls().isEmpty());
        assertEquals("http", access.scheme());
        assertEquals("open: no token, no TLS", access.describe());
    }

    @Test
    void theEnvironmentNamesTheTokenFile() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "a-token-from-the-environment\n");
        RestAccess access = from(Map.of("QIS_REST_AUTH_TOKEN_FILE", tokens.toString(),
                "QIS_REST_AUTH_METRICS_OPEN", "true"), Map.of());
        assertEquals("a-token-from-the-environment", access.bearer().orElseThrow().ownToken());
        assertTrue(access.bearer().get().isOpen("/metrics"));
        assertEquals("bearer token required except /metrics", access.describe());
    }

    @Test
    void tlsWithClientCertificatesRequired() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir, "config-test-ca");
        RestAccess access = from(Map.of(), Map.of(
                QisConfig.REST_TLS_KEYSTORE_LOCATION, ca.keyStore("instance", "instance.p12").toString(),
                QisConfig.REST_TLS_KEYSTORE_PASSWORD, TestCertificates.PASSWORD,
                QisConfig.REST_TLS_TRUSTSTORE_LOCATION, ca.trustStore("trust.p12").toString(),
                QisConfig.REST_TLS_TRUSTSTORE_PASSWORD, TestCertificates.PASSWORD,
                QisConfig.REST_TLS_CLIENT_AUTH, "NEED"));
        assertEquals("https", access.scheme());
        assertEquals(RestTls.ClientAuth.NEED, access.tls().orElseThrow().clientAuth());
        assertEquals("client certificate required", access.describe());
    }

    @Test
    void eachWrongSettingIsAConfigErrorNamingItsKey() throws Exception {
        String missing = assertThrows(ConfigException.class, () -> from(Map.of(),
                Map.of(QisConfig.REST_AUTH_TOKEN_FILE, dir.resolve("nope").toString()))).getMessage();
        assertTrue(missing.startsWith(QisConfig.REST_AUTH_TOKEN_FILE) && missing.contains("does not exist"), missing);

        String alone = assertThrows(ConfigException.class, () -> from(Map.of(),
                Map.of(QisConfig.REST_TLS_CLIENT_AUTH, "need"))).getMessage();
        assertTrue(alone.contains(QisConfig.REST_TLS_KEYSTORE_LOCATION), alone);

        TestCertificates ca = TestCertificates.authority(dir, "config-test-ca");
        String keys = ca.keyStore("instance", "instance.p12").toString();
        String mode = assertThrows(ConfigException.class, () -> from(Map.of(), Map.of(
                QisConfig.REST_TLS_KEYSTORE_LOCATION, keys, QisConfig.REST_TLS_KEYSTORE_PASSWORD,
                TestCertificates.PASSWORD, QisConfig.REST_TLS_CLIENT_AUTH, "always"))).getMessage();
        assertTrue(mode.contains("none, want or need") && mode.contains("always"), mode);

        String noTrust = assertThrows(ConfigException.class, () -> from(Map.of(), Map.of(
                QisConfig.REST_TLS_KEYSTORE_LOCATION, keys, QisConfig.REST_TLS_KEYSTORE_PASSWORD,
                TestCertificates.PASSWORD, QisConfig.REST_TLS_CLIENT_AUTH, "need"))).getMessage();
        assertTrue(noTrust.contains(QisConfig.REST_TLS_TRUSTSTORE_LOCATION), noTrust);

        String password = assertThrows(ConfigException.class, () -> from(Map.of(), Map.of(
                QisConfig.REST_TLS_KEYSTORE_LOCATION, keys, QisConfig.REST_TLS_KEYSTORE_PASSWORD, "not-the-pw-7x")))
                .getMessage();
        assertTrue(password.contains(keys), password);
        assertFalse(password.contains("not-the-pw-7x"), "a password is never repeated: " + password);
    }

    @Test
    void theStartUpLogHidesTheKeyStorePasswords() {
        Map<String, String> described = QisConfig.load(Optional.empty(), Map.of(),
                Map.of(QisConfig.REST_TLS_KEYSTORE_PASSWORD, "s3cret-store")).describe();
        assertFalse(described.get(QisConfig.REST_TLS_KEYSTORE_PASSWORD).contains("s3cret-store"));
    }
}
