package dev.qis.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One copy of every partition, never two, never a hole: an all-instance view from this instance's own parts. */
class FanOutTest {
    private static final HostInfo SELF = new HostInfo("a", 1);

    @TempDir
    Path stateDir;
    private FakeStreams streams;
    private FanOut fanOut;

    @BeforeEach
    void streams() {
        streams = new FakeStreams(stateDir);
        streams.instances.add(new FakeStreams.Instance(SELF, Set.of("store")));
        fanOut = new FanOut(streams, SELF, null, 4); // no other instance: no peer is ever asked
    }

    @AfterEach
    void close() {
        streams.close();
    }

    /** Item "p<n>" for each partition it covers. */
    private static FanOut.Part<String> part(Set<Integer> partitions, Set<Integer> standby, long lag) {
        return new FanOut.Part<>(partitions.stream().sorted().map(p -> "p" + p).toList(), partitions, standby, lag);
    }

    @Test
    void activeCopiesThatCoverEveryPartitionAreTheWholeView() {
        List<Boolean> reads = new ArrayList<>();
        FanOut.View<String> view = fanOut.collect("store", "/v1/x", 10, (wanted, anyCopy, maxLag) -> {
            reads.add(anyCopy);
            return part(wanted, Set.of(), 0);
        }, body -> List.of());
        assertEquals(List.of("p0", "p1", "p2", "p3"), view.items());
        assertTrue(view.standby().isEmpty());
        assertEquals(0, view.lag());
        assertEquals(List.of(false, true), reads, "the second pass asks for nothing more, and finds nothing");
    }

    @Test
    void partitionsNoActiveCopyAnsweredComeFromACopyWithinTheLag() {
        FanOut.View<String> view = fanOut.collect("store", "/v1/x", 50, (wanted, anyCopy, maxLag) -> {
            assertEquals(50, maxLag);
            if (!anyCopy) {
                return part(Set.of(0, 2), Set.of(), 0);
            }
            assertEquals(Set.of(1, 3), wanted, "only the partitions still missing are asked again");
            return part(wanted, wanted, 7);
        }, body -> List.of());
        assertEquals(Set.of("p0", "p1", "p2", "p3"), Set.copyOf(view.items()));
        assertEquals(4, view.items().size(), "nothing counted twice");
        assertEquals(Set.of(1, 3), view.standby());
        assertEquals(7, view.lag());
    }

    @Test
    void anAnswerOverlappingWhatIsCoveredIsLeftOutWhole() {
        StateUnavailableException e = assertThrows(StateUnavailableException.class,
                () -> fanOut.collect("store", "/v1/x", 0, (wanted, anyCopy, maxLag) -> anyCopy
                        ? part(Set.of(0, 1, 2, 3), Set.of(0, 1, 2, 3), 3) // would count 0 and 1 twice
                        : part(Set.of(0, 1), Set.of(), 0), body -> List.of()));
        assertTrue(e.getMessage().contains("partitions [2, 3] of store"), e.getMessage());
    }

    @Test
    void aViewWithAHoleIsUnavailableNamingTheMissingPartitions() {
        StateUnavailableException e = assertThrows(StateUnavailableException.class,
                () -> fanOut.collect("store", "/v1/x", 5, (wanted, anyCopy, maxLag) -> {
                    if (anyCopy) {
                        throw new StateUnavailableException("store partition 3 is restoring");
                    }
                    return part(Set.of(0, 1, 2), Set.of(), 0);
                }, body -> List.of()));
        assertTrue(e.getMessage().contains("partitions [3] of store"), e.getMessage());
        assertTrue(e.getMessage().contains("max_lag=5"), e.getMessage());
        assertEquals(1, e.getCause().getSuppressed().length, "the local failure is kept as the reason");
    }

    @Test
    void anAppThatIsNotRunningAnswersNoView() {
        streams.state = KafkaStreams.State.PENDING_ERROR;
        assertThrows(StateUnavailableException.class, () -> fanOut.collect("store", "/v1/x", 0,
                (wanted, anyCopy, maxLag) -> part(wanted, Set.of(), 0), body -> List.of()));
    }

    @Test
    void partitionListsReadBackAsWritten() {
        assertEquals(new TreeSet<>(Set.of(0, 1, 2, 3)), fanOut.allPartitions());
        assertEquals("0,2,5", FanOut.formatPartitions(Set.of(5, 0, 2)));
        assertEquals(Set.of(0, 2, 5), FanOut.parsePartitions("0,2,5"));
        assertEquals(Set.of(1, 3), FanOut.parsePartitions(" 3 , 1 ,"));
        assertEquals(Set.of(), FanOut.parsePartitions(""));
        assertThrows(NumberFormatException.class, () -> FanOut.parsePartitions("1,x"));
        assertThrows(NumberFormatException.class, () -> FanOut.parsePartitions("-1"));
    }
}
