package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server turns Nagle's algorithm off for its connections unless the user chose otherwise. */
class RestServerNoDelayTest {
    private String given;

    @BeforeEach
    void remember() {
        given = System.getProperty(RestServer.NODELAY_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (given == null) {
            System.clearProperty(RestServer.NODELAY_PROPERTY);
        } else {
            System.setProperty(RestServer.NODELAY_PROPERTY, given);
        }
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
