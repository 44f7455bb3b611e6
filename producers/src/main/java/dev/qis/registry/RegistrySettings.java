package dev.qis.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to reach a schema registry, under the configuration names users of Kafka's schema registry serdes already
 * know: {@code schema.registry.url} (comma-separated, tried in turn), {@code basic.auth.credentials.source}
 * ({@code USER_INFO} or {@code URL}), {@code basic.auth.user.info} ({@code user:password}), the
 * {@code schema.registry.ssl.*} trust and key stores, and {@code http.connect.timeout.ms} /
 * {@code http.read.timeout.ms}.
 */
public record RegistrySettings(List<URI> urls, Optional<String> userInfo, Optional<SSLContext> ssl,
                               Duration connectTimeout, Duration readTimeout) {
    public static final String URL = "schema.registry.url";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String PREFIXED_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";

    /** Every key above: what a Kafka client is not given. */
    public static final Set<String> KEYS = Set.of(URL, CREDENTIALS_SOURCE, USER_INFO, PREFIXED_USER_INFO,
            TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE, KEYSTORE_LOCATION, KEYSTORE_PASSWORD,
            KEYSTORE_TYPE, KEY_PASSWORD, CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS);

    /*
     * Short by default: the stream app calls the registry on its stream thread, inside an exactly-once transaction
     * (Kafka Streams' transaction.timeout.ms is 10 s), and only when an id is not cached yet or a retry is due.
     */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);

    public RegistrySettings {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(URL + " names no registry");
        }
        urls = List.copyOf(urls);
    }

    /** One registry, no credentials, no TLS settings beyond the JDK's (tests, the demo). */
    public static RegistrySettings of(String url) {
        return from(Map.of(URL, url)).orElseThrow();
    }

    /**
     * The settings in a configuration map, or empty when {@code schema.registry.url} is not set. A bad value is an
     * {@link IllegalArgumentException} naming the key and the reason.
     */
    public static Optional<RegistrySettings> from(Map<String, ?> config) {
        String raw = text(config, URL).orElse(null);
        if (raw == null) {
            return Optional.empty();
        }
        List<URI> urls = Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(RegistrySettings::uri).toList();
        String source = text(config, CREDENTIALS_SOURCE).orElse("USER_INFO").toUpperCase(java.util.Locale.ROOT);
        Optional<String> userInfo = switch (source) {
            case "USER_INFO" -> text(config, USER_INFO).or(() -> text(config, PREFIXED_USER_INFO));
            case "URL" -> Optional.ofNullable(urls.get(0).getRawUserInfo())
                    .map(u -> URLDecoder.decode(u, StandardCharsets.UTF_8));
            default -> throw new IllegalArgumentException(CREDENTIALS_SOURCE + " must be USER_INFO or URL, got '"
                    + source + "'");
        };
        userInfo.ifPresent(u -> {
            if (!u.contains(":")) {
                throw new IllegalArgumentException(USER_INFO + " must be user:password");
            }
        });
        List<URI> plain = urls.stream().map(RegistrySettings::withoutUserInfo).toList();
        return Optional.of(new RegistrySettings(plain, userInfo, sslContext(config),
                millis(config, CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT),
                millis(config, READ_TIMEOUT_MS, DEFAULT_READ_TIMEOUT)));
    }

    private static URI uri(String s) {
        try {
            URI u = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(URL + ": '" + s + "' is not an http:// or https:// URL", e);
        }
    }

    private static URI withoutUserInfo(URI u) {
        if (u.getRawUserInfo() == null) {
            return u;
        }
        return URI.create(u.getScheme() + "://" + u.getRawAuthority().substring(u.getRawAuthority().indexOf('@') + 1)
                + (u.getRawPath() == null ? "" : u.getRawPath()));
    }

    private static Optional<SSLContext> sslContext(Map<String, ?> config) {
        Optional<String> trust = text(config, TRUSTSTORE_LOCATION);
        Optional<String> keys = text(config, KEYSTORE_LOCATION);
        if (trust.isEmpty() && keys.isEmpty()) {
            return Optional.empty();
        }
        try {
            TrustManagerFactory tmf = null;
            if (trust.isPresent()) {
                KeyStore store = load(trust.get(), text(config, TRUSTSTORE_TYPE).orElse("JKS"),
                        text(config, TRUSTSTORE_PASSWORD).orElse(null), TRUSTSTORE_LOCATION);
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
            }
            KeyManagerFactory kmf = null;
            if (keys.isPresent()) {
                String password = text(config, KEYSTORE_PASSWORD).orElse(null);
                KeyStore store = load(keys.get(), text(config, KEYSTORE_TYPE).orElse("JKS"), password,
                        KEYSTORE_LOCATION);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String keyPassword = text(config, KEY_PASSWORD).orElse(password);
                kmf.init(store, keyPassword == null ? null : keyPassword.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("schema.registry.ssl.*: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String location, String type, String password, String key)
            throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    private static Duration millis(Map<String, ?> config, String key, Duration fallback) {
        Optional<String> v = text(config, key);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            long ms = Long.parseLong(v.get());
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a positive number of milliseconds, got '" + v.get() + "'");
        }
    }

    private static Optional<String> text(Map<String, ?> config, String key) {
        Object v = config.get(key);
        return v == null ? Optional.empty() : Optional.of(v.toString().strip()).filter(s -> !s.isEmpty());
    }

    /** For logs: the URLs, never the credentials. */
    @Override
    public String toString() {
        return "registry " + urls + (userInfo.isPresent() ? " with basic auth" : "") + (ssl.isPresent() ? " with TLS settings" : "");
    }
}
