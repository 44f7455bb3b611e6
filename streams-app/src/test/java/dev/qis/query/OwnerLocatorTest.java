package dev.qis.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a key's partition lives, from the assignment as the stream app reports it; no broker. */
class OwnerLocatorTest {
    private static final HostInfo SELF = new HostInfo("a", 1);
    private static final HostInfo OTHER = new HostInfo("b", 2);
    private static final HostInfo THIRD = new HostInfo("c", 3);

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

    static StreamsMetadata instance(HostInfo host) {
        return new FakeStreams.Instance(host, Set.of("store"));
    }

    @Test
    void theAssignmentNamesTheActiveAndTheStandbyCopies() {
        streams.owners = key -> new KeyQueryMetadata(OTHER, Set.of(SELF, THIRD), 4);
        OwnerLocator.Placement p = new OwnerLocator(streams, SELF, 8).placement("store", "k", new StringSerializer());
        assertEquals(4, p.partition());
        assertEquals(Optional.of(OTHER), p.active());
        assertEquals(Set.of(SELF, THIRD), p.standbys());
    }

    @Test
    void anActiveHostThatIsUnavailableIsNoActiveHost() {
        streams.owners = key -> new KeyQueryMetadata(HostInfo.unavailable(), Set.of(THIRD), 2);
        OwnerLocator.Placement p = new OwnerLocator(streams, SELF, 8).placement("store", "k", new StringSerializer());
        assertEquals(Optional.empty(), p.active());
        assertEquals(Set.of(THIRD), p.standbys());
    }

    @Test
    void whileRebalancingTheKeysPartitionIsTheOneTheProducerChose() {
        streams.state = KafkaStreams.State.REBALANCING;
        for (String key : List.of("clinical-note-summarization", "legal-clause-extraction", "0123456789abcdef")) {
            OwnerLocator.Placement p = new OwnerLocator(streams, SELF, 6).placement("store", key,
                    new StringSerializer());
            assertEquals(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), 6), p.partition(),
                    key);
            assertEquals(Optional.empty(), p.active());
            assertTrue(p.standbys().isEmpty());
        }
    }

    @Test
    void withoutTheAssignmentOrThePartitionCountTheStateIsUnavailable() {
        OwnerLocator locator = new OwnerLocator(streams, SELF);
        StateUnavailableException e = assertThrows(StateUnavailableException.class,
                () -> locator.placement("store", "k", new StringSerializer()));
        assertTrue(e.getMessage().contains("rebalancing"), e.getMessage());
    }

    @Test
    void aStoppedAppOrFailingMetadataIsUnavailableAndAnUnknownStoreIsABug() {
        OwnerLocator locator = new OwnerLocator(streams, SELF, 4);
        streams.state = KafkaStreams.State.PENDING_SHUTDOWN;
        assertTrue(assertThrows(StateUnavailableException.class,
                () -> locator.placement("store", "k", new StringSerializer())).getMessage().contains("PENDING_SHUTDOWN"));
        streams.state = KafkaStreams.State.RUNNING;
        streams.metadataFailure = new IllegalStateException("not yet");
        assertTrue(assertThrows(StateUnavailableException.class,
                () -> locator.placement("store", "k", new StringSerializer())).getMessage().contains("not yet"));
        streams.metadataFailure = null;
        streams.owners = key -> null;
        assertThrows(IllegalStateException.class, () -> locator.placement("nope", "k", new StringSerializer()));
    }

    @Test
    void theOtherInstancesLeaveOutThisOneAndTheUnavailableOnes() {
        streams.instances.addAll(List.of(instance(SELF), instance(OTHER), instance(HostInfo.unavailable()),
                instance(THIRD), instance(OTHER)));
        assertEquals(List.of(OTHER, THIRD), new OwnerLocator(streams, SELF).others());
        streams.metadataFailure = new IllegalStateException("closed");
        assertEquals(List.of(), new OwnerLocator(streams, SELF).others(), "unknown instances: none to ask");
    }
}
