package dev.qis.topics;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StreamTopicsTest {
    @Test
    void mismatchedPartitionCountsNameEveryTopic() {
        StreamTopics.checkCounts(Map.of("qis.outcomes.0", 6, "qis.votes", 6));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> StreamTopics.checkCounts(new TreeMap<>(Map.of("qis.outcomes.0", 6, "qis.outcomes.1", 3,
                        "qis.votes", 6))));
        assertTrue(e.getMessage().contains("qis.outcomes.0=6, qis.outcomes.1=3, qis.votes=6"), e.getMessage());
    }
}
