package dev.qis.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Answers an all-instance view: each instance that hosts the store answers for the partitions it is active for,
 * and the answers are merged only when together they cover every partition. A view with a hole (an instance
 * failed, a partition is moving) is unavailable, never silently partial.
 */
public final class FanOut {
    /** Response header naming the partitions a local answer covers: "0,2,5". */
    public static final String PARTITIONS_HEADER = "Qis-Partitions";

    private final KafkaStreams streams;
    private final HostInfo self;
    private final PeerClient peers;
    private final int partitionCount;

    /** One instance's answer and the partitions it covers. */
    public record Part<T>(List<T> items, Set<Integer> partitions) {
        public Part {
            items = List.copyOf(items);
            partitions = Set.copyOf(partitions);
        }
    }

    public FanOut(KafkaStreams streams, HostInfo self, PeerClient peers, int partitionCount) {
        this.streams = streams;
        this.self = self;
        this.peers = peers;
        this.partitionCount = partitionCount;
    }

    /**
     * Collects a view from every instance that hosts {@code store}: this one through {@code local}, the others by
     * asking {@code pathAndQuery} (answered locally there) and reading their answer with {@code parse}.
     */
    public <T> List<T> collect(String store, String pathAndQuery, Supplier<Part<T>> local,
                               Function<byte[], List<T>> parse) {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            throw new StateUnavailableException("the stream app is " + state + ", not RUNNING");
        }
        Collection<StreamsMetadata> hosts;
        try {
            hosts = streams.streamsMetadataForStore(store);
        } catch (RuntimeException e) {
            throw new StateUnavailableException("metadata for store " + store + " is not available: " + e.getMessage(), e);
        }
        List<T> items = new ArrayList<>();
        Set<Integer> covered = new TreeSet<>();
        for (StreamsMetadata host : hosts) {
            HostInfo info = host.hostInfo();
            if (HostInfo.unavailable().equals(info)) {
                throw new StateUnavailableException("an instance hosting " + store + " has no address yet");
            }
            Part<T> part = info.equals(self) ? local.get() : remote(info, pathAndQuery, parse);
            for (int p : part.partitions()) {
                if (!covered.add(p)) {
                    // two instances both answered for one partition: ownership is moving, and a merge could double-count
                    throw new StateUnavailableException("partition " + p + " of " + store
                            + " was answered by two instances (rebalancing)");
                }
            }
            items.addAll(part.items());
        }
        Set<Integer> missing = IntStream.range(0, partitionCount).boxed()
                .filter(p -> !covered.contains(p)).collect(Collectors.toCollection(TreeSet::new));
        if (!missing.isEmpty()) {
            throw new StateUnavailableException("partitions " + missing + " of " + store
                    + " are not answered by any running instance yet");
        }
        return items;
    }

    private <T> Part<T> remote(HostInfo host, String pathAndQuery, Function<byte[], List<T>> parse) {
        PeerClient.PeerResponse response = peers.get(host, pathAndQuery);
        if (response.status() != 200) {
            throw new StateUnavailableException("instance " + PeerClient.address(host) + " answered " + response.status() + " for "
                    + pathAndQuery + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        Set<Integer> partitions = parsePartitions(response.partitions().orElseThrow(() ->
                new StateUnavailableException("instance " + PeerClient.address(host) + " did not say which partitions it answered for")));
        return new Part<>(parse.apply(response.body()), partitions);
    }

    public static String formatPartitions(Set<Integer> partitions) {
        return new TreeSet<>(partitions).stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static Set<Integer> parsePartitions(String header) {
        Set<Integer> out = new TreeSet<>();
        for (String p : header.split(",")) {
            if (!p.isBlank()) {
                out.add(Integer.parseInt(p.strip()));
            }
        }
        return out;
    }
}
