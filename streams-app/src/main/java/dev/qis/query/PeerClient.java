package dev.qis.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks another instance of the app over HTTP, marking the request as forwarded so that the other instance answers
 * from its own state and never forwards it again. Counts each forward ({@code qis.query.forwarded}) by outcome.
 * Instances of one deployment share their API settings: with TLS a peer is asked over https with this instance's
 * key and trust stores, and with a token file it is sent this instance's token.
 */
public final class PeerClient {
    public static final String FORWARDED_METER = "qis.query.forwarded";
    /** The header marking a request one instance sent another; must match what the REST layer checks. */
    public static final String FORWARDED_HEADER = "Qis-Forwarded-By";

    private final HttpClient client;
    private final Duration timeout;
    private final HostInfo self;
    private final Counter answered;
    private final Counter failed;
    private final String scheme;
    private final Supplier<Optional<String>> token;

    /** The owner's answer, passed on as it is. */
    public record PeerResponse(int status, String contentType, byte[] body, Optional<String> retryAfter,
                               Optional<String> partitions, Optional<String> standbyPartitions,
                               Map<String, String> freshness) {
        public PeerResponse {
            freshness = Map.copyOf(freshness);
        }
    }

    /** Which copy of the state answered: {@code active} or {@code standby}. */
    public static final String READ_FROM_HEADER = "Qis-Read-From";
    /** How many records the answering copy was behind its changelog (a standby's answer only). */
    public static final String LAG_HEADER = "Qis-Lag";
    /** The headers that say which copy answered, passed back to the client as the owner sent them. */
    public static final List<String> FRESHNESS_HEADERS = List.of(READ_FROM_HEADER, LAG_HEADER);

    public PeerClient(HostInfo self, Duration timeout, MeterRegistry registry) {
        this(self, timeout, registry, Optional.empty(), Optional::empty);
    }

    /**
     * @param tls   the context to ask peers over https with (this instance's own), or empty for http
     * @param token the bearer token to send, read when each request is made (the token file may change)
     */
    public PeerClient(HostInfo self, Duration timeout, MeterRegistry registry, Optional<SSLContext> tls,
                      Supplier<Optional<String>> token) {
        this.self = self;
        this.timeout = timeout;
        this.scheme = tls.isPresent() ? "https" : "http";
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1);
        tls.ifPresent(builder::sslContext);
        this.client = builder.build();
        this.answered = counter(registry, "answered");
        this.failed = counter(registry, "unreachable");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder(FORWARDED_METER)
                .description("Queries forwarded to the instance that owns the state, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    /**
     * GETs a path (with its query) on another instance. An unreachable or slow instance is a
     * {@link StateUnavailableException}: it is probably leaving the group, and a retry will reach the new owner.
     */
    public PeerResponse get(HostInfo host, String pathAndQuery) {
        URI uri = URI.create(scheme + "://" + host.host() + ":" + host.port() + pathAndQuery);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header(FORWARDED_HEADER, address(self));
        token.get().ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        HttpRequest request = builder.GET().build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            answered.increment();
            return new PeerResponse(response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse("application/octet-stream"),
                    response.body(),
                    response.headers().firstValue("Retry-After"),
                    response.headers().firstValue(FanOut.PARTITIONS_HEADER),
                    response.headers().firstValue(FanOut.STANDBY_PARTITIONS_HEADER),
                    freshness(response));
        } catch (HttpTimeoutException e) {
            failed.increment();
            throw new StateUnavailableException("instance " + address(host) + " did not answer within "
                    + timeout.toMillis() + " ms");
        } catch (IOException e) {
            failed.increment();
            throw new StateUnavailableException("instance " + address(host) + " is unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateUnavailableException("interrupted while asking instance " + address(host), e);
        }
    }

    private static Map<String, String> freshness(HttpResponse<?> response) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : FRESHNESS_HEADERS) {
            response.headers().firstValue(name).ifPresent(v -> out.put(name, v));
        }
        return out;
    }

    /** host:port, as in application.server. */
    public static String address(HostInfo host) {
        return host.host() + ":" + host.port();
    }
}
