package dev.qis.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class PeerClientTest {
    @Test
    void anUnreachableOwnerIsUnavailableAndCounted() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PeerClient peers = new PeerClient(new HostInfo("localhost", 1), Duration.ofSeconds(2), registry);
        StateUnavailableException e = assertThrows(StateUnavailableException.class,
                () -> peers.get(new HostInfo("localhost", closedPort), "/v1/domains"));
        assertTrue(e.getMessage().contains("localhost:" + closedPort), e.getMessage());
        assertEquals(1.0, registry.get(PeerClient.FORWARDED_METER).tag("outcome", "unreachable").counter().count());
        assertEquals(0.0, registry.get(PeerClient.FORWARDED_METER).tag("outcome", "answered").counter().count());
    }

    @Test
    void partitionsHeaderRoundTrips() {
        assertEquals("0,2,5", FanOut.formatPartitions(java.util.Set.of(5, 0, 2)));
        assertEquals(java.util.Set.of(0, 2, 5), FanOut.parsePartitions("0,2,5"));
        assertEquals(java.util.Set.of(), FanOut.parsePartitions(""));
    }
}
