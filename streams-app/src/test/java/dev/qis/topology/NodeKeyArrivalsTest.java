package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeKeyArrivalsTest {
    @Test
    void aReaderGetsTheIdsSinceItsPositionOrIsToldItFellBehind() {
        NodeKeyArrivals arrivals = new NodeKeyArrivals();
        assertEquals(Optional.of(List.of()), arrivals.since(0));
        arrivals.arrived("a");
        arrivals.arrived("b");
        assertEquals(2, arrivals.end());
        assertEquals(Optional.of(List.of("a", "b")), arrivals.since(0));
        assertEquals(Optional.of(List.of("b")), arrivals.since(1));
        assertEquals(Optional.empty(), arrivals.since(-1), "a reader that never looked checks everything once");
        for (int i = 0; i < NodeKeyArrivals.KEEP; i++) {
            arrivals.arrived("n" + i);
        }
        assertEquals(Optional.empty(), arrivals.since(1), "\"b\" is no longer kept");
        assertEquals(Optional.of(List.of("n" + (NodeKeyArrivals.KEEP - 1))), arrivals.since(arrivals.end() - 1));
    }
}
