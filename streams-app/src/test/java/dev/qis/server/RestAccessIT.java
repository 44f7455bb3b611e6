package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.query.PeerClient;
import dev.qis.rest.TestCertificates;
import dev.qis.publish.TopicLayout;
import dev.qis.store.StoreNames;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import dev.qis.topics.StreamTopics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances sharing a token file, and two serving TLS with client certificates required, on one real broker: a
 * client without the token gets a 401 with the reason, with it a 200, and a query one instance forwards to the other
 * is answered (the forwarding instance sends the token, and shows its certificate).
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestAccessIT {
    private static final int PARTITIONS = 3;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Instant ISSUED = Instant.now().minusSeconds(3600);
    private static final List<String> DOMAINS = List.of("clinical-note-summarization", "legal-clause-extraction",
            "protein-folding-qa", "code-review-comments");
    private static final String TOKEN = "rest-access-it-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();
    private Path tokenFile;
    private TestCertificates ca;
    private final List<QisServer> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startClusterAndPublish() throws Exception {
        tokenFile = dir.resolve("tokens");
        Files.writeString(tokenFile, "# shared by the instances of this deployment\n" + TOKEN + "\n");
        ca = TestCertificates.authority(dir, "qis-it-ca");
        NodeIdentity node = NodeIdentity.generate();
        try (Admin admin = kafka.admin()) {
            new StreamTopics(admin, new TopicLayout(PARTITIONS, TopicLayout.BROKER_DEFAULT_REPLICATION,
                    Topics.DEFAULT_PREFIX_CHARS), WAIT).createAll();
        }
        kafka.registerNodes(ISSUED, List.of(node));
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            for (String domain : DOMAINS) {
                SignedPacket s = Packets.packet(domain, 60, 66).issuedAt(ISSUED).sign(node);
                producer.send(new ProducerRecord<>(Topics.outcomes(s.fingerprint()), s.fingerprint().value(),
                        s.bytes())).get();
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (QisServer s : started) {
            s.close();
        }
    }

    private Properties props(String applicationId, String name) {
        Properties flags = new Properties();
        flags.put(QisConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        flags.put(QisConfig.APPLICATION_ID, applicationId);
        flags.put(QisConfig.STATE_DIR, dir.resolve("state-" + name).toString());
        flags.put(QisConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
        flags.put(QisConfig.QUERY_TIMEOUT_MS, "3000");
        flags.put("session.timeout.ms", "10000");
        flags.put("heartbeat.interval.ms", "1000");
        return flags;
    }

    private List<QisServer> startPair(String prefix, Properties access) throws Exception {
        String applicationId = prefix + "-" + UUID.randomUUID();
        List<QisServer> pair = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            Properties p = props(applicationId, prefix + "-" + name);
            p.putAll(access);
            QisServer s = RunningApp.start(p);
            started.add(s);
            pair.add(s);
        }
        return pair;
    }

    private static HttpResponse<String> get(HttpClient client, String url, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asks until the answer is a 200 (the stores fill and the group settles on their own schedule). */
    private static HttpResponse<String> settled(HttpClient client, String url, String token) throws Exception {
        HttpResponse<String>[] last = new HttpResponse[1];
        Wait.waitFor(() -> {
            try {
                last[0] = get(client, url, token);
                return last[0].statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, WAIT, () -> url + " last answered " + (last[0] == null ? "nothing" : last[0].statusCode() + " "
                + last[0].body()));
        return last[0];
    }

    private static double forwarded(QisServer s) {
        return s.registry().get(PeerClient.FORWARDED_METER).tag("outcome", "answered").counter().count();
    }

    /**
     * Every domain asked of the instance that does not own it: answered 200 by a forward. A rebalance in between (a
     * probing rebalance moves tasks while the pair settles) can move the owner or answer 503 while a store migrates,
     * so each attempt looks the owner up again; the attempt that counts is answered 200 with the domain and counted
     * once as forwarded by the instance that was asked.
     */
    private static void eachDomainIsForwardedAndAnswered(List<QisServer> pair, HttpClient client, String token) {
        for (String domain : DOMAINS) {
            String[] last = {"nothing"};
            Wait.waitFor(() -> {
                KeyQueryMetadata m = pair.get(0).streams().queryMetadataForKey(StoreNames.DOMAIN_CANDIDATES, domain,
                        new StringSerializer());
                QisServer notOwner = m.activeHost().equals(pair.get(0).self()) ? pair.get(1) : pair.get(0);
                double before = forwarded(notOwner);
                HttpResponse<String> answer = get(client, notOwner.localUrl() + "/v1/domains/" + domain + "/top",
                        token);
                double after = forwarded(notOwner);
                last[0] = answer.statusCode() + " " + answer.body() + ", forwarded " + before + " -> " + after;
                return answer.statusCode() == 200
                        && domain.equals(JSON.readTree(answer.body()).path("domain").asText())
                        && after == before + 1;
            }, WAIT, () -> domain + ": the instance that does not own it answers 200 by forwarding; last " + last[0]);
        }
    }

    @Test
    void instancesSharingATokenFileWantItFromClientsAndSendItToEachOther() throws Exception {
        Properties access = new Properties();
        access.put(QisConfig.REST_AUTH_TOKEN_FILE, tokenFile.toString());
        List<QisServer> pair = startPair("token", access);
        QisServer a = pair.get(0);

        HttpResponse<String> missing = get(http, a.localUrl() + "/v1/domains", null);
        assertEquals(401, missing.statusCode(), missing.body());
        assertEquals("missing", JSON.readTree(missing.body()).path("reason").asText(), missing.body());
        assertEquals("Bearer realm=\"qis\"", missing.headers().firstValue("WWW-Authenticate").orElse(""));
        HttpResponse<String> wrong = get(http, a.localUrl() + "/v1/domains", TOKEN + "x");
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertEquals("invalid", JSON.readTree(wrong.body()).path("reason").asText(), wrong.body());
        assertFalse(wrong.body().contains(TOKEN), "the answer never repeats a token");
        // the readiness probe needs no token (it may say 503 while the second instance joins, never 401)
        settled(http, a.localUrl() + "/health/ready", null);

        // the domain list is gathered from both instances: the other one is asked with the token
        JsonNode domains = JSON.readTree(settled(http, a.localUrl() + "/v1/domains", TOKEN).body());
        Wait.waitFor(() -> {
            try {
                return JSON.readTree(get(http, a.localUrl() + "/v1/domains", TOKEN).body()).path("domains").size()
                        == DOMAINS.size();
            } catch (Exception e) {
                return false;
            }
        }, WAIT, () -> "every domain listed; first answer " + domains);
        eachDomainIsForwardedAndAnswered(pair, http, TOKEN);
    }

    @Test
    void withClientCertificatesRequiredOnlyAClientWithOneConnectsAndInstancesForwardOverTls() throws Exception {
        Path instanceKeys = ca.keyStore("qis-instance", "instance.p12");
        Path trust = ca.trustStore("trust.p12");
        Properties access = new Properties();
        access.put(QisConfig.REST_TLS_KEYSTORE_LOCATION, instanceKeys.toString());
        access.put(QisConfig.REST_TLS_KEYSTORE_PASSWORD, TestCertificates.PASSWORD);
        access.put(QisConfig.REST_TLS_TRUSTSTORE_LOCATION, trust.toString());
        access.put(QisConfig.REST_TLS_TRUSTSTORE_PASSWORD, TestCertificates.PASSWORD);
        access.put(QisConfig.REST_TLS_CLIENT_AUTH, "need");
        List<QisServer> pair = startPair("mtls", access);
        QisServer a = pair.get(0);
        assertEquals("https://localhost:" + a.port(), a.localUrl());

        HttpClient withCertificate = HttpClient.newBuilder()
                .sslContext(context(ca.keyStore("qis-client", "client.p12"), trust)).build();
        HttpClient trustingWithoutCertificate = HttpClient.newBuilder().sslContext(context(null, trust)).build();
        assertThrows(IOException.class, () -> get(trustingWithoutCertificate, a.localUrl() + "/health/live", null),
                "no client certificate: the handshake fails");
        Wait.waitFor(() -> {
            try {
                return JSON.readTree(get(withCertificate, a.localUrl() + "/v1/domains", null).body())
                        .path("domains").size() == DOMAINS.size();
            } catch (Exception e) {
                return false;
            }
        }, WAIT, () -> "every domain listed over TLS");
        eachDomainIsForwardedAndAnswered(pair, withCertificate, null);
    }

    private static SSLContext context(Path keys, Path trust) throws Exception {
        char[] password = TestCertificates.PASSWORD.toCharArray();
        KeyManagerFactory kmf = null;
        if (keys != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(keys)) {
                ks.load(in, password);
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(trust)) {
            ts.load(in, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
