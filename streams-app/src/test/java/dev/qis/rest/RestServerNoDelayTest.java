package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server turns Nagle's algorithm off and limits the time a connection may take to send its request and to be
 * answered, unless the user chose otherwise.
 */
class RestServerNoDelayTest {
    private static final List<String> PROPERTIES = List.of(RestServer.NODELAY_PROPERTY,
            RestServer.MAX_REQ_TIME_PROPERTY, RestServer.MAX_RSP_TIME_PROPERTY);
    private final Map<String, String> given = new HashMap<>();

    @BeforeEach
    void remember() {
        PROPERTIES.forEach(p -> given.put(p, System.getProperty(p)));
    }

    @AfterEach
    void restore() {
        given.forEach((p, value) -> {
            if (value == null) {
                System.clearProperty(p);
            } else {
                System.setProperty(p, value);
            }
        });
    }

    @Test
    void readAndAnswerLimitsAreSetWhenNotGiven() throws Exception {
        System.clearProperty(RestServer.MAX_REQ_TIME_PROPERTY);
        System.clearProperty(RestServer.MAX_RSP_TIME_PROPERTY);
        start().close();
        assertEquals(Long.toString(RestServer.DEFAULT_MAX_REQ_TIME_SECONDS),
                System.getProperty(RestServer.MAX_REQ_TIME_PROPERTY));
        assertEquals(Long.toString(RestServer.DEFAULT_MAX_RSP_TIME_SECONDS),
                System.getProperty(RestServer.MAX_RSP_TIME_PROPERTY));
    }

    @Test
    void limitsTheUserSetAreKept() throws Exception {
        System.setProperty(RestServer.MAX_REQ_TIME_PROPERTY, "3");
        System.setProperty(RestServer.MAX_RSP_TIME_PROPERTY, "-1");
        start().close();
        assertEquals("3", System.getProperty(RestServer.MAX_REQ_TIME_PROPERTY));
        assertEquals("-1", System.getProperty(RestServer.MAX_RSP_TIME_PROPERTY));
    }

    @Test
    void noDelayIsOnWhenNotSet() throws Exception {
        System.clearProperty(RestServer.NODELAY_PROPERTY);
        start().close();
        assertEquals("true", System.getProperty(RestServer.NODELAY_PROPERTY));
    }

    @Test
    void aValueTheUserSetIsKept() throws Exception {
        System.setProperty(RestServer.NODELAY_PROPERTY, "false");
        start().close();
        assertEquals("false", System.getProperty(RestServer.NODELAY_PROPERTY));
    }

    private static RestServer start() throws Exception {
        return new RestServer(new InetSocketAddress("127.0.0.1", 0), new SimpleMeterRegistry());
    }
}
