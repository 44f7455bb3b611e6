package dev.qis.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.protocol.Ed25519;
import dev.qis.protocol.PacketHistory;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.OutcomePacket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wire-format contract, on fixed bytes. {@code packet.single-object.hex} is a signed packet as its author
 * published it; {@code packet.framed-id-258.hex} is the same packet as a Schema Registry serializer writes it with
 * schema id 258: byte 00, the id as 00 00 01 02 (big-endian, so a byte-order mistake shows), then the Avro body of
 * the single-object record unchanged. The framer must write exactly those bytes, the reader must read them, and the
 * signed packet must come back from them.
 */
class RegistryContractTest {
    private static final String TOPIC = "qis.domain.clinical-note-summarization";
    private static final int FIXTURE_ID = 258;
    private static final ObjectMapper JSON = new ObjectMapper();

    private InProcessSchemaRegistry registry;
    private SchemaRegistryClient client;

    @BeforeEach
    void start() throws IOException {
        registry = InProcessSchemaRegistry.start(new InetSocketAddress("127.0.0.1", 0));
        client = new SchemaRegistryClient(RegistrySettings.of(registry.url()));
        for (int i = 1; i < FIXTURE_ID; i++) { // other schemas take ids 1..257
            client.register("filler-" + i + "-value", SchemaBuilder.record("Filler" + i).fields()
                    .requiredInt("n").endRecord());
        }
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void theFramerWritesTheReferenceBytes() {
        byte[] framed = new RegistryFramer(client).frame(TOPIC, fixture("packet.single-object.hex"));

        assertEquals(HexFormat.of().formatHex(fixture("packet.framed-id-258.hex")), HexFormat.of().formatHex(framed));
        assertEquals(Optional.of("BACKWARD"), client.compatibility(TOPIC + "-value"),
                "a subject the framer creates gets BACKWARD compatibility");
    }

    @Test
    void theReaderReadsTheReferenceBytes() throws IOException {
        registerPacketSchema();
        OutcomePacket packet = new DomainRecordReader(Optional.of(client)).decode(fixture("packet.framed-id-258.hex"));

        assertEquals("8ff8bb6992657811-4fcb653178c450e4", packet.getPacketId());
        assertEquals("988836316c597073", packet.getNodeId());
        assertEquals("clinical-note-summarization", packet.getContext().getTask());
        assertEquals(0.417, packet.getOutcome().getOutcomeScore());
        assertEquals(400, packet.getValidation().getNEvalSamples());
    }

    @Test
    void aGenericAvroReaderWithTheRegistrysSchemaReadsTheFramedBytes() throws Exception {
        registerPacketSchema();
        byte[] framed = fixture("packet.framed-id-258.hex");
        assertEquals(0, framed[0], "magic byte");
        int id = ((framed[1] & 0xff) << 24) | ((framed[2] & 0xff) << 16) | ((framed[3] & 0xff) << 8) | (framed[4] & 0xff);
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(registry.url() + "/schemas/ids/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        Schema writer = new Schema.Parser().parse(JSON.readTree(answer.body()).get("schema").asText());
        GenericRecord record = new GenericDatumReader<GenericRecord>(writer).read(null,
                DecoderFactory.get().binaryDecoder(Arrays.copyOfRange(framed, 5, framed.length), null));

        assertEquals("8ff8bb6992657811-4fcb653178c450e4", record.get("packet_id").toString());
        assertEquals(0.417, ((GenericRecord) record.get("outcome")).get("outcome_score"));
    }

    @Test
    void theSignedPacketComesBackFromTheFramedRecordAndVerifies() {
        registerPacketSchema();
        byte[] singleObject = new DomainRecordReader(Optional.of(client)).toSingleObject(fixture("packet.framed-id-258.hex"));

        assertArrayEquals(fixture("packet.single-object.hex"), singleObject);
        var key = Ed25519.publicKey(fixture("node.public-key.hex"));
        PacketVerifier verifier = new PacketVerifier(id -> id.equals("988836316c597073") ? Optional.of(key)
                : Optional.empty(), Clock.fixed(Instant.parse("2026-11-02T00:00:00Z"), ZoneOffset.UTC));
        assertInstanceOf(Verdict.Accepted.class, verifier.verifyPacket(singleObject, PacketHistory.NONE));
    }

    @Test
    void aSingleObjectRecordIsReadWithoutARegistry() {
        OutcomePacket packet = new DomainRecordReader(Optional.empty()).decode(fixture("packet.single-object.hex"));
        assertEquals("8ff8bb6992657811-4fcb653178c450e4", packet.getPacketId());
    }

    private void registerPacketSchema() {
        assertEquals(FIXTURE_ID, client.register(TOPIC + "-value", OutcomePacket.getClassSchema()));
    }

    static byte[] fixture(String name) {
        try (InputStream in = RegistryContractTest.class.getResourceAsStream("/registry/" + name)) {
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
