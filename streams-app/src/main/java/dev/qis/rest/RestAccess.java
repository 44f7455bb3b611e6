package dev.qis.rest;

import dev.qis.access.TokenFile;
import dev.qis.config.ConfigException;
import dev.qis.config.QisConfig;
import dev.qis.errors.Reason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who may use the API and how they connect: an optional bearer token ({@link BearerAuth}) and optional TLS with
 * client certificates ({@link RestTls}). Both are off unless configured; {@link #NONE} is plain HTTP, open to all.
 */
public record RestAccess(Optional<BearerAuth> bearer, Optional<RestTls> tls) {
    public static final RestAccess NONE = new RestAccess(Optional.empty(), Optional.empty());

    /** The URL scheme of this instance's API, and of the other instances' (they share the setting). */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /** For the start-up line: what a client needs ({@code bearer token required, client certificate required}). */
    public String describe() {
        List<String> parts = new ArrayList<>();
        bearer.ifPresent(b -> parts.add("bearer token required" + (b.metricsOpen() ? " except /metrics" : "")));
        tls.ifPresent(t -> parts.add(switch (t.clientAuth()) {
            case NEED -> "client certificate required";
            case WANT -> "client certificate asked for";
            case NONE -> "TLS";
        }));
        return parts.isEmpty() ? "open: no token, no TLS" : String.join(", ", parts);
    }

    /** Reads the {@code qis.rest.auth.*} and {@code qis.rest.tls.*} keys; a wrong one is a {@link ConfigException}. */
    public static RestAccess from(QisConfig config) {
        Optional<BearerAuth> bearer = config.get(QisConfig.REST_AUTH_TOKEN_FILE).map(file -> {
            try {
                return new BearerAuth(TokenFile.read(Path.of(file)),
                        bool(config, QisConfig.REST_AUTH_METRICS_OPEN));
            } catch (TokenFile.TokenFileException e) {
                throw new ConfigException(Reason.FILE_UNREADABLE,
                        QisConfig.REST_AUTH_TOKEN_FILE + ": " + e.getMessage() + " (from "
                        + config.sourceOf(QisConfig.REST_AUTH_TOKEN_FILE) + ")");
            }
        });
        Optional<RestTls> tls = config.get(QisConfig.REST_TLS_KEYSTORE_LOCATION).map(location -> {
            try {
                RestTls.Store keys = new RestTls.Store(Path.of(location),
                        config.get(QisConfig.REST_TLS_KEYSTORE_TYPE, "PKCS12"),
                        password(config, QisConfig.REST_TLS_KEYSTORE_PASSWORD));
                Optional<RestTls.Store> trust = config.get(QisConfig.REST_TLS_TRUSTSTORE_LOCATION).map(t ->
                        new RestTls.Store(Path.of(t), config.get(QisConfig.REST_TLS_TRUSTSTORE_TYPE, "PKCS12"),
                                password(config, QisConfig.REST_TLS_TRUSTSTORE_PASSWORD)));
                RestTls.ClientAuth clientAuth = RestTls.ClientAuth.parse(
                        config.get(QisConfig.REST_TLS_CLIENT_AUTH, "none"), QisConfig.REST_TLS_CLIENT_AUTH);
                if (clientAuth != RestTls.ClientAuth.NONE && trust.isEmpty()) {
                    throw new IllegalArgumentException(QisConfig.REST_TLS_CLIENT_AUTH + "=" + clientAuth.name()
                            .toLowerCase(java.util.Locale.ROOT) + " needs " + QisConfig.REST_TLS_TRUSTSTORE_LOCATION
                            + ": the CAs whose client certificates are accepted");
                }
                return RestTls.load(keys, config.get(QisConfig.REST_TLS_KEY_PASSWORD).map(String::toCharArray), trust,
                        clientAuth);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(Reason.INVALID_SETTING, "qis.rest.tls.*: " + e.getMessage());
            }
        });
        if (tls.isEmpty()) {
            for (String key : List.of(QisConfig.REST_TLS_TRUSTSTORE_LOCATION, QisConfig.REST_TLS_CLIENT_AUTH)) {
                if (config.get(key).isPresent() && !(key.equals(QisConfig.REST_TLS_CLIENT_AUTH)
                        && config.get(key).get().equalsIgnoreCase("none"))) {
                    throw new ConfigException(Reason.MISSING_SETTING,
                            key + " is set (from " + config.sourceOf(key) + ") but "
                            + QisConfig.REST_TLS_KEYSTORE_LOCATION + " is not: TLS needs this instance's key store");
                }
            }
        }
        return new RestAccess(bearer, tls);
    }

    private static boolean bool(QisConfig config, String key) {
        String v = config.get(key, "false");
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new ConfigException(Reason.INVALID_SETTING,
                    key + " must be true or false, got '" + v + "' (from " + config.sourceOf(key) + ")");
        }
        return Boolean.parseBoolean(v);
    }

    private static char[] password(QisConfig config, String key) {
        return config.get(key).map(String::toCharArray).orElse(null);
    }
}
