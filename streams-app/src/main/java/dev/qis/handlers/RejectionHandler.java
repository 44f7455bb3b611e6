package dev.qis.handlers;

import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processing and deserialization exception handler (KIP-1034): an unexpected exception while processing a
 * record, or a record that does not deserialize, becomes a dead letter in the SAME format as every other refusal
 * (an encoded {@code Rejection}: PROCESSING_ERROR or MALFORMED, with the source record's bytes and coordinates)
 * on {@code errors.dead.letter.queue.topic.name}, and processing resumes with the next record.
 */
public final class RejectionHandler implements ProcessingExceptionHandler, DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RejectionHandler.class);
    private String topic = Topics.REJECTED;

    @Override
    public void configure(Map<String, ?> configs) {
        Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (t != null && !t.toString().isBlank()) {
            topic = t.toString();
        }
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
                                                           Exception exception) {
        LOG.warn("processing error at {}-{}@{} in {}: {}", context.topic(), context.partition(), context.offset(),
                context.processorNodeId(), exception.toString());
        return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(context, ReasonCode.PROCESSING_ERROR,
                exception)));
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context,
                                                                ConsumerRecord<byte[], byte[]> record,
                                                                Exception exception) {
        LOG.warn("undeserializable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                exception.toString());
        byte[] value = Rejections.encode(ReasonCode.MALFORMED, describe(exception), record.topic(),
                record.partition(), record.offset(), record.key(), record.value(), System.currentTimeMillis());
        return DeserializationExceptionHandler.Response.resume(
                List.of(new ProducerRecord<>(topic, null, Rejections.key(record.key()), value)));
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, ReasonCode reason, Exception e) {
        byte[] value = Rejections.encode(reason, describe(e) + " in " + context.processorNodeId(), context.topic(),
                context.partition(), context.offset(), context.sourceRawKey(), context.sourceRawValue(),
                System.currentTimeMillis());
        return new ProducerRecord<>(topic, null, Rejections.key(context.sourceRawKey()), value);
    }

    private static String describe(Exception e) {
        String text = e.getClass().getSimpleName() + ": " + e.getMessage();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 1000 ? text : text.substring(0, 500) + "…";
    }
}
