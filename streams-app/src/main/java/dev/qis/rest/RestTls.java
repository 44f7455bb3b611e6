package dev.qis.rest;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the API: the key store holds this instance's key and certificate, the trust store the CAs whose client
 * certificates it accepts, and {@link ClientAuth} whether a client must show one. Instances forwarding queries to
 * each other use the same context as clients, so with {@code need} a peer shows its own certificate.
 */
public final class RestTls {
    /** Whether the server asks a client for a certificate: never, asks but lets it in without, or refuses it. */
    public enum ClientAuth {
        NONE, WANT, NEED;

        public static ClientAuth parse(String value, String key) {
            try {
                return valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + " must be none, want or need, got '" + value + "'");
            }
        }
    }

    /** A key or trust store: file, type (PKCS12, JKS) and password. */
    public record Store(Path location, String type, char[] password) {
    }

    private final SSLContext context;
    private final ClientAuth clientAuth;

    private RestTls(SSLContext context, ClientAuth clientAuth) {
        this.context = context;
        this.clientAuth = clientAuth;
    }

    /**
     * Loads the stores. The key store is required (the server's certificate); without a trust store the JDK's default
     * CAs decide which client certificates are trusted. {@code keyPassword} defaults to the key store's password.
     */
    public static RestTls load(Store keys, Optional<char[]> keyPassword, Optional<Store> trust, ClientAuth clientAuth) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(read(keys, "key store"), keyPassword.orElse(keys.password()));
            TrustManagerFactory tmf = null;
            if (trust.isPresent()) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(read(trust.get(), "trust store"));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return new RestTls(context, clientAuth);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS key or trust store: " + e.getMessage(), e);
        }
    }

    private static KeyStore read(Store store, String what) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(store.location())) {
            KeyStore ks = KeyStore.getInstance(store.type());
            ks.load(in, store.password());
            return ks;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the " + what + " " + store.location() + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the " + what + " " + store.location() + ": "
                    + e.getMessage() + " (a wrong password reads as a damaged file)", e);
        }
    }

    /** The context this instance serves with and forwards with. */
    public SSLContext context() {
        return context;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** Sets each connection's parameters: the context's defaults, and whether a client certificate is asked for. */
    HttpsConfigurator configurator() {
        return new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = context.getDefaultSSLParameters();
                ssl.setNeedClientAuth(clientAuth == ClientAuth.NEED);
                if (clientAuth == ClientAuth.WANT) {
                    ssl.setWantClientAuth(true);
                }
                params.setSSLParameters(ssl);
            }
        };
    }

    @Override
    public String toString() {
        return "TLS, client certificates " + clientAuth.name().toLowerCase(Locale.ROOT);
    }
}
