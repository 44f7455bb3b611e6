package dev.qis.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qis.protocol.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.junit.jupiter.api.Test;

class DomainTopicFailureHandlerTest {
    private final DomainTopicFailureHandler handler = new DomainTopicFailureHandler();

    @Test
    void aDomainTopicThatCannotBeWrittenDoesNotStopTheApp() {
        var response = handler.handleError(null, new ProducerRecord<>("qis.domain.summarization", new byte[0], new byte[0]),
                new TimeoutException("Topic qis.domain.summarization not present in metadata"));
        assertEquals(ProductionExceptionHandler.Result.RESUME, response.result());
    }

    @Test
    void theOverflowTopicFailsSoftlyToo() {
        var response = handler.handleError(null, new ProducerRecord<>(Topics.DOMAIN_OVERFLOW, new byte[0], new byte[0]),
                new TimeoutException("Topic " + Topics.DOMAIN_OVERFLOW + " not present in metadata"));
        assertEquals(ProductionExceptionHandler.Result.RESUME, response.result());
    }

    @Test
    void anyOtherFailedWriteFails() {
        var response = handler.handleError(null, new ProducerRecord<>("qis.rejected", new byte[0], new byte[0]),
                new TimeoutException("x"));
        assertEquals(ProductionExceptionHandler.Result.FAIL, response.result());
    }
}
