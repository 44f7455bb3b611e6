package dev.qis.query;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;

/**
 * A stream app that is never started and answers the read path's questions as a test sets them: its state, the
 * owner of a key, the instances, and what an IQv2 query returns. No broker is asked.
 */
final class FakeStreams extends KafkaStreams {
    State state = State.RUNNING;
    Function<Object, KeyQueryMetadata> owners = key -> KeyQueryMetadata.NOT_AVAILABLE;
    RuntimeException metadataFailure;
    final List<StreamsMetadata> instances = new ArrayList<>();
    Function<StateQueryRequest<?>, StateQueryResult<?>> answers = request -> new StateQueryResult<>();
    final List<StateQueryRequest<?>> asked = new ArrayList<>();

    /** One instance as the metadata names it: its address and the stores it hosts. */
    record Instance(HostInfo hostInfo, Set<String> stateStoreNames) implements StreamsMetadata {
        @Override
        public Set<TopicPartition> topicPartitions() {
            return Set.of();
        }

        @Override
        public Set<TopicPartition> standbyTopicPartitions() {
            return Set.of();
        }

        @Override
        public Set<String> standbyStateStoreNames() {
            return Set.of();
        }

        @Override
        public String host() {
            return hostInfo.host();
        }

        @Override
        public int port() {
            return hostInfo.port();
        }
    }

    FakeStreams(Path stateDir) {
        super(topology(), properties(stateDir));
    }

    private static org.apache.kafka.streams.Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("fake-input");
        return builder.build();
    }

    private static Properties properties(Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "fake-streams");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1"); // never started: never connects
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return p;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public <K> KeyQueryMetadata queryMetadataForKey(String storeName, K key, Serializer<K> keySerializer) {
        if (metadataFailure != null) {
            throw metadataFailure;
        }
        return owners.apply(key);
    }

    @Override
    public Collection<StreamsMetadata> metadataForAllStreamsClients() {
        if (metadataFailure != null) {
            throw metadataFailure;
        }
        return List.copyOf(instances);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> StateQueryResult<R> query(StateQueryRequest<R> request) {
        asked.add(request);
        return (StateQueryResult<R>) answers.apply(request);
    }
}
