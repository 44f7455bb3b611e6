package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.store.StoreNames;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the REST API of a running app with generated requests (jqwik's generators, sampled here so the run keeps
 * a JUnit timeout): random paths over every route, path segments with traversal, percent-encodings (valid, invalid
 * and overlong), query strings with random k / limit / cursor values, unknown and repeated parameters, 10 KB
 * queries, and other methods. Every answer is 2xx, or 4xx as problem+json with a bounded body; never 5xx, never a
 * dropped connection.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestFuzzIT {
    /** Requests per run; {@code -Dqis.fuzz.requests=N} runs more. */
    private static final int REQUESTS = Integer.getInteger("qis.fuzz.requests", 600);
    private static final int MAX_PROBLEM_BYTES = 2_048;
    private static final String DOMAIN = "fuzz-domain";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();

    @Test
    void everyRequestGetsA2xxOrAProblem(@TempDir Path stateDir) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "qis-rest-fuzz-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(QisConfig.TOPIC_PARTITIONS, "2");
        NodeIdentity node = NodeIdentity.generate();
        Instant now = Instant.now();
        List<SignedPacket> packets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            packets.add(Packets.plain(DOMAIN, 55 + i).tag("t" + (i % 2)).hyperparam("r", 8L)
                    .issuedAt(now.minusSeconds(60)).sign(node));
        }
        try (QisServer app = RunningApp.start(props); KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.NODES, node.nodeId(), ProtocolCodec.encode(node.nodeKey(now))));
            producer.flush();
            for (SignedPacket p : packets) {
                producer.send(new ProducerRecord<>(Topics.outcomes(p.fingerprint()), p.fingerprint().value(), p.bytes()));
            }
            producer.flush();
            Wait.waitFor(() -> RunningApp.count(app, StoreNames.PACKETS) >= packets.size(),
                    Duration.ofSeconds(60), () -> "the packets are stored");

            List<String> samples = List.of(packets.get(0).id(), packets.get(0).fingerprint().value(), node.nodeId());
            List<String> failures = new ArrayList<>();
            Map<Integer, Long> statuses = new java.util.TreeMap<>();
            List<Request> requests = requests(samples).sampleStream().limit(REQUESTS).toList();
            for (Request r : requests) {
                Answer a;
                try {
                    a = send(app.port(), r);
                } catch (IOException e) {
                    // the JDK's server answers a target that is no URI and closes at once, unread headers and all,
                    // which may reach this client as a reset before the answer
                    if (isUri(r.target())) {
                        failures.add("no answer (" + e + ") for " + r);
                    }
                    statuses.merge(-1, 1L, Long::sum);
                    continue;
                }
                statuses.merge(a.status(), 1L, Long::sum);
                String problem = check(a, r.method().equals("HEAD"), isUri(r.target()));
                if (problem != null) {
                    failures.add(problem + " for " + r);
                }
            }
            System.out.println("REST fuzz: " + requests.size() + " requests, statuses " + statuses);
            assertTrue(failures.isEmpty(), failures.size() + " bad answers, first ones: "
                    + failures.stream().limit(8).collect(Collectors.joining("\n")));
        }
    }

    /**
     * Whether the routes see this target: it is a URI and its path is absolute. A target that is no URI (a bare '%')
     * or starts with "//" (read as an authority, leaving an empty path that matches no context) is answered by the
     * JDK's HTTP server itself.
     */
    private static boolean isUri(String target) {
        try {
            String path = new java.net.URI(target).getRawPath();
            return path != null && path.startsWith("/");
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** One request: method and raw request target, as sent on the wire. */
    record Request(String method, String target) {
        @Override
        public String toString() {
            return method + " " + (target.length() > 200 ? target.substring(0, 200) + "…(" + target.length() + ")"
                    : target);
        }
    }

    record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    /**
     * What a bad answer is, or null. A target the routes never see ({@link #isUri}) gets the JDK's HTTP server's own
     * short 400 or 404; that is the one 4xx allowed not to be problem+json.
     */
    private static String check(Answer a, boolean head, boolean uri) {
        if (a.status() < 200 || a.status() >= 500) {
            return "status " + a.status() + " " + new String(a.body(), StandardCharsets.UTF_8);
        }
        if (!uri) {
            return (a.status() == 400 || a.status() == 404) && a.body().length <= MAX_PROBLEM_BYTES ? null
                    : "not a URI, answered " + a.status() + " with " + a.body().length + " bytes";
        }
        if (a.status() >= 400) {
            if (!"application/problem+json".equals(a.headers().get("content-type"))) {
                return "a " + a.status() + " that is not problem+json: " + a.headers();
            }
            if (head) {
                return null; // a HEAD answer has headers only
            }
            if (a.body().length > MAX_PROBLEM_BYTES) {
                return "a problem of " + a.body().length + " bytes";
            }
            try {
                JsonNode body = JSON.readTree(a.body());
                if (body.path("status").asInt() != a.status() || body.path("detail").asText().isEmpty()) {
                    return "a problem without its status or detail: " + body;
                }
            } catch (IOException e) {
                return "a problem body that is not JSON: " + e.getMessage();
            }
        }
        return null;
    }

    private static Arbitrary<Request> requests(List<String> samples) {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of(DOMAIN, "unknown-domain", "..", ".", "%2e%2e", "%2F", "a%2Fb", "%00", "%C3%28", "%FF",
                        "%", "%Z1", "%E2%82", "+", "~", "a b").map(s -> s.replace(" ", "%20")),
                Arbitraries.of(samples),
                Arbitraries.strings().withChars(URI_CHARS + "%").ofMaxLength(40).map(RestFuzzIT::pathSafe),
                Arbitraries.strings().ofMaxLength(20).map(RestFuzzIT::percentEncode),
                Arbitraries.integers().between(1_000, 12_000).map(n -> "x".repeat(n)));
        Arbitrary<String> path = Combinators.combine(
                Arbitraries.of("/v1/domains", "/v1/domains/{}/top", "/v1/domains/{}/synthesis",
                        "/v1/fingerprints/{}/packets", "/v1/fingerprints/{}/synthesis", "/v1/packets/{}",
                        "/v1/nodes/{}", "/", "/v1", "/v1/", "/v1/{}", "/metrics", "/health", "/ready", "/v1/instances",
                        "/console/", "/openapi.json", "/{}/{}", "/v1/domains/{}/top/{}", "//v1//domains"),
                segment, segment).as((template, a, b) -> template.replaceFirst("\\{}", java.util.regex.Matcher.quoteReplacement(a))
                        .replaceFirst("\\{}", java.util.regex.Matcher.quoteReplacement(b)));
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.of("", "0", "1", "10", "100", "1000", "1001", "-1", "1e3", "0x10", "NaN", "Infinity", "1.5",
                        "99999999999999999999", "%20", "%FF", "a,b", ",,", "llama-3-8b", "t0", "0.5", "2", "-0.0"),
                Arbitraries.strings().withChars(URI_CHARS + "%?").ofMaxLength(30).map(RestFuzzIT::querySafe),
                Arbitraries.integers().between(2_000, 11_000).map(n -> "q".repeat(n)));
        Arbitrary<String> param = Combinators.combine(
                Arbitraries.of("k", "family", "tag", "tags", "min_confidence", "limit", "cursor", "colour", "", "k[]"),
                value).as((n, v) -> n + "=" + v);
        Arbitrary<String> query = Arbitraries.oneOf(Arbitraries.just(""),
                param.list().ofMinSize(1).ofMaxSize(4).map(l -> "?" + String.join("&", l)),
                Arbitraries.of("?", "?&", "?k", "?=", "?k==1", "?k=1&k=2", "?%", "?k=%"));
        Arbitrary<String> method = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.just("GET")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("HEAD", "POST", "DELETE", "PUT", "OPTIONS", "PATCH", "TRACE")));
        return Combinators.combine(method, path, query).as((m, p, q) -> new Request(m, p + q));
    }

    /**
     * The characters a request target may carry raw (RFC 3986: unreserved, sub-delimiters, ':', '@', '/'); a target
     * with others (a quote, a backslash, '{') is refused by the JDK's HTTP server itself, before any route, with a
     * bare 400, so they reach the routes only percent-encoded.
     */
    private static final String URI_CHARS = "abcxyzABCXYZ0189-._~!$&'()*+,;=:@/";

    /** A path segment as sent: '%' only as an escape, no '?'. */
    private static String pathSafe(String s) {
        return s.replace("%", "%25").replace("?", "%3F").replace("#", "%23");
    }

    private static String querySafe(String s) {
        return s.replace("%", "%25").replace("#", "%23").replace("&", "%26");
    }

    private static String percentEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }

    /** Sends one request on a raw socket (so malformed targets reach the server as they are) and reads the answer. */
    private static Answer send(int port, Request r) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write((r.method() + " " + r.target() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (r.method().equals("POST") || r.method().equals("PUT") || r.method().equals("PATCH")
                    ? "Content-Length: 0\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return parse(all.toByteArray(), r.method().equals("HEAD"));
        }
    }

    private static Answer parse(byte[] raw, boolean head) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return new Answer(-1, Map.of(), raw); // the connection closed without an answer
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
        }
        byte[] body = head ? new byte[0] : java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Answer(status, headers, body);
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int lineEnd = indexOf(chunked, i);
            int size = Integer.parseInt(new String(chunked, i, lineEnd - i, StandardCharsets.ISO_8859_1).trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length - 1; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return b.length;
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }
}
