package dev.qis.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.testing.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A registry-aware consumer written from the Schema Registry's documentation alone, the way any Kafka tool reads
 * Avro: a value is byte 0, a 4-byte big-endian schema id and an Avro binary body; {@code GET /schemas/ids/{id}}
 * gives the writer schema as {@code {"schema": "..."}}; Avro's generic reader decodes the body. It uses none of
 * this project's serdes, so what it reads is what a third-party consumer would read.
 */
final class ReferenceAvroConsumer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One value as a generic reader sees it, with the schema id and writer schema it named. */
    record Read(int schemaId, Schema writer, GenericRecord value, byte[] body) {
        String field(String path) {
            Object v = value;
            for (String name : path.split("\\.")) {
                v = ((GenericRecord) v).get(name);
            }
            return String.valueOf(v);
        }
    }

    private final String registryUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<Integer, Schema> schemas = new HashMap<>();

    ReferenceAvroConsumer(String registryUrl) {
        this.registryUrl = registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
    }

    /** Decodes one framed value. */
    Read decode(byte[] value) throws IOException, InterruptedException {
        if (value.length < 5 || value[0] != 0) {
            throw new AssertionError("not Schema Registry framing: first byte " + (value.length == 0 ? "none" : value[0]));
        }
        int id = ByteBuffer.wrap(value, 1, 4).getInt(); // ByteBuffer is big-endian by default
        Schema writer = schemas.get(id);
        if (writer == null) {
            writer = new Schema.Parser().parse(get("/schemas/ids/" + id).get("schema").asText());
            schemas.put(id, writer);
        }
        byte[] body = Arrays.copyOfRange(value, 5, value.length);
        var decoder = DecoderFactory.get().binaryDecoder(body, null);
        GenericRecord record = new GenericDatumReader<GenericRecord>(writer).read(null, decoder);
        if (!decoder.isEnd()) {
            throw new AssertionError("bytes left after the Avro body of schema id " + id);
        }
        return new Read(id, writer, record, body);
    }

    /** A GET against the registry, its JSON answer (fails the test on a non-2xx answer). */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(registryUrl + path))
                .header("Accept", "application/vnd.schemaregistry.v1+json").build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new AssertionError("GET " + path + " -> " + answer.statusCode() + " " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** Every committed value of a topic, read to its end at the time of the call. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Wait.waitFor(() -> {
                if (partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                    return true;
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return false;
            }, timeout, () -> "reading " + topic + " to its end offsets " + end + "; read " + out.size());
        }
        return out;
    }
}
