package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.qis.rest.RestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The start-up line names the address the REST server is bound to, not the one it was asked for. */
class QisServerBoundAddressTest {
    @Test
    void namesTheBoundAddressAndPort() throws Exception {
        try (RestServer server = new RestServer(new InetSocketAddress("localhost", 0), new SimpleMeterRegistry())) {
            String line = QisServer.boundAddress(server.address());
            assertNotEquals(0, server.port());
            assertEquals(server.address().getAddress().getHostAddress() + ":" + server.port(), line);
        }
        assertEquals("0.0.0.0:8080", QisServer.boundAddress(new InetSocketAddress(InetAddress.getByName("0.0.0.0"),
                8080)));
        assertEquals("[0:0:0:0:0:0:0:1]:9", QisServer.boundAddress(new InetSocketAddress(
                InetAddress.getByName("::1"), 9)));
        assertEquals("10.1.2.3:80", QisServer.boundAddress(new InetSocketAddress(InetAddress.getByName("10.1.2.3"),
                80)));
    }
}
