package dev.qis.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IQv2 reads of this instance's state, every partition's result checked: a failed partition is never empty. */
class LocalStateTest {
    @TempDir
    Path stateDir;
    private FakeStreams streams;

    @BeforeEach
    void streams() {
        streams = new FakeStreams(stateDir);
    }

    @AfterEach
    void close() {
        streams.close();
    }

    private void answer(Map<Integer, QueryResult<?>> byPartition) {
        streams.answers = request -> {
            StateQueryResult<Object> result = new StateQueryResult<>();
            byPartition.forEach((p, r) -> {
                @SuppressWarnings("unchecked")
                QueryResult<Object> typed = (QueryResult<Object>) r;
                result.addResult(p, typed);
            });
            return result;
        };
    }

    private static <K, V> KeyValueIterator<K, V> rows(List<KeyValue<K, V>> rows) {
        Iterator<KeyValue<K, V>> it = rows.iterator();
        return new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<K, V> next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                return it.next();
            }

            @Override
            public void close() {
            }

            @Override
            public K peekNextKey() {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void aKeyIsReadFromTheActiveCopyOfItsPartition() {
        answer(Map.of(2, QueryResult.forResult("value")));
        assertEquals(Optional.of("value"), new LocalState(streams).get("store", "key", 2));
        assertTrue(streams.asked.get(0).isRequireActive(), "active copies only");
        assertEquals(Set.of(2), streams.asked.get(0).getPartitions());
        answer(Map.of(2, QueryResult.forResult(null)));
        assertEquals(Optional.empty(), new LocalState(streams).get("store", "key", 2), "no such key");
    }

    @Test
    void withStandbysAnyCopyMayAnswer() {
        answer(Map.of(1, QueryResult.forResult("v")));
        new LocalState(streams).withStandbys().get("store", "key", 1);
        assertTrue(!streams.asked.get(0).isRequireActive());
    }

    @Test
    void aFailedOrMissingPartitionIsUnavailableNeverEmpty() {
        answer(Map.of(0, QueryResult.forFailure(FailureReason.NOT_ACTIVE, "moved away")));
        StateUnavailableException e = assertThrows(StateUnavailableException.class,
                () -> new LocalState(streams).get("store", "key", 0));
        assertTrue(e.getMessage().contains("NOT_ACTIVE") && e.getMessage().contains("moved away"), e.getMessage());
        answer(Map.of());
        assertThrows(StateUnavailableException.class, () -> new LocalState(streams).get("store", "key", 0));
    }

    @Test
    void anUnsupportedQueryIsABugNotATransientState() {
        answer(Map.of(0, QueryResult.forFailure(FailureReason.UNKNOWN_QUERY_TYPE, "no range")));
        assertThrows(IllegalStateException.class, () -> new LocalState(streams).get("store", "key", 0));
    }

    @Test
    void anAppThatIsNotRunningIsUnavailable() {
        streams.state = KafkaStreams.State.REBALANCING;
        assertThrows(StateUnavailableException.class, () -> new LocalState(streams).get("store", "key", 0));
        assertTrue(streams.asked.isEmpty(), "not even asked");
    }

    @Test
    void aRangeOverEveryPartitionSkipsStandbysAndKeepsWhatTheFilterAccepts() {
        answer(Map.of(
                0, QueryResult.forResult(rows(List.of(KeyValue.pair("a", 1), KeyValue.pair("b", 2)))),
                1, QueryResult.forFailure(FailureReason.NOT_ACTIVE, "a standby here"),
                2, QueryResult.forResult(rows(List.of(KeyValue.pair("c", 3), KeyValue.pair("d", 4))))));
        LocalState.Slice<String, Integer> slice = new LocalState(streams).range("store", null, null,
                Optional.empty(), 10, row -> row.value % 2 == 0);
        assertEquals(Set.of("b", "d"), Set.copyOf(slice.rows().stream().map(r -> r.key).toList()));
        assertEquals(Set.of(0, 2), slice.partitions());
    }

    @Test
    void aRangeOfOnePartitionThatFailsIsUnavailable() {
        answer(Map.of(1, QueryResult.forFailure(FailureReason.NOT_ACTIVE, "moved")));
        assertThrows(StateUnavailableException.class, () -> new LocalState(streams).range("store", "a", "z",
                Optional.of(1), 10, row -> true));
    }
}
