package dev.qis.handlers;

import dev.qis.protocol.Topics;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A routed packet that cannot be written to its domain topic (for instance the topic could not be created) is
 * logged and skipped: the packet is still stored and queryable, so a missing domain topic never stops the app.
 * Any other failed write fails as usual (exactly-once keeps it consistent on restart).
 */
public final class DomainTopicFailureHandler implements ProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DomainTopicFailureHandler.class);

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (record.topic().startsWith(Topics.DOMAIN_PREFIX) || record.topic().equals(Topics.DOMAIN_OVERFLOW)) {
            LOG.warn("routed packet not written to {}: {} (it stays stored and queryable)", record.topic(),
                    exception.toString());
            return Response.resume();
        }
        return Response.fail();
    }
}
