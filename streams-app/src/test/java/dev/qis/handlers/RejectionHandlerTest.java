package dev.qis.handlers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class RejectionHandlerTest {
    private static final byte[] KEY = {'k'};
    private static final byte[] VALUE = {1, 2, 3};

    private static final ErrorHandlerContext CONTEXT = new ErrorHandlerContext() {
        public String topic() { return "qis.outcomes.8"; }
        public int partition() { return 2; }
        public long offset() { return 41L; }
        public Headers headers() { return new RecordHeaders(); }
        public String processorNodeId() { return "qis-packet-state"; }
        public TaskId taskId() { return new TaskId(1, 2); }
        public long timestamp() { return 0L; }
        public byte[] sourceRawKey() { return KEY; }
        public byte[] sourceRawValue() { return VALUE; }
    };

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void anUnexpectedExceptionBecomesAProcessingErrorDeadLetterAndProcessingResumes() {
        RejectionHandler handler = new RejectionHandler();
        handler.configure(Map.of("errors.dead.letter.queue.topic.name", "dead"));
        ProcessingExceptionHandler.Response response = handler.handleError(CONTEXT, new Record<>("k", "v", 0L),
                new IllegalStateException("boom"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, response.result());
        ProducerRecord<byte[], byte[]> dl = response.deadLetterQueueRecords().get(0);
        assertEquals("dead", dl.topic());
        assertArrayEquals(KEY, dl.key());
        Rejection r = ProtocolCodec.decodeRejection(dl.value());
        assertEquals(ReasonCode.PROCESSING_ERROR, r.getReason());
        assertTrue(r.getDetail().contains("boom") && r.getDetail().contains("qis-packet-state"), r.getDetail());
        assertEquals("qis.outcomes.8", r.getSourceTopic());
        assertEquals(2, r.getSourcePartition());
        assertEquals(41L, r.getSourceOffset());
        assertArrayEquals(VALUE, bytes(r.getOriginalValue()));
    }

    @Test
    void anUndeserializableRecordBecomesAMalformedDeadLetter() {
        RejectionHandler handler = new RejectionHandler();
        handler.configure(Map.of());
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("app-qis-events-repartition", 0, 7L, KEY, VALUE);
        DeserializationExceptionHandler.Response response = handler.handleError(CONTEXT, record,
                new RuntimeException("bad json"));
        assertEquals(DeserializationExceptionHandler.Result.RESUME, response.result());
        ProducerRecord<byte[], byte[]> dl = response.deadLetterQueueRecords().get(0);
        assertEquals("qis.rejected", dl.topic());
        Rejection r = ProtocolCodec.decodeRejection(dl.value());
        assertEquals(ReasonCode.MALFORMED, r.getReason());
        assertEquals(7L, r.getSourceOffset());
        assertArrayEquals(VALUE, bytes(r.getOriginalValue()));
    }
}
