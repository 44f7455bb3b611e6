package dev.qis.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Answers an all-instance view from exactly one copy of every partition, so that nothing is counted twice and nothing
 * is left out: the active copies first (this instance's, then the other instances' for the partitions still missing),
 * then, for the partitions no active copy answered (an instance died, the group is rebalancing, a partition is
 * moving), a copy at most {@code max_lag} records behind its changelog: a standby, or an active copy read while the
 * group rebalances. A view that still has a hole is unavailable, never silently partial.
 */
public final class FanOut {
    /** Response header naming the partitions a part covers: "0,2,5". */
    public static final String PARTITIONS_HEADER = "Qis-Partitions";
    /** Response header naming the partitions of a part that were read from a copy that may be behind. */
    public static final String STANDBY_PARTITIONS_HEADER = "Qis-Standby-Partitions";
    /** Query parameter of a request one instance sends another: the partitions it still needs, "1,3". */
    public static final String PARTITIONS_PARAM = "partitions";
    /** Query parameter of the same: {@code active} (active copies only) or {@code any} (within {@code max_lag}). */
    public static final String COPIES_PARAM = "copies";

    private final KafkaStreams streams;
    private final HostInfo self;
    private final PeerClient peers;
    private final int partitionCount;

    /**
     * One instance's answer for some partitions: the items, the partitions they cover, those of them read from a
     * copy that may be behind ({@code standby}), and the largest lag among those.
     */
    public record Part<T>(List<T> items, Set<Integer> partitions, Set<Integer> standby, long lag) {
        public Part {
            items = List.copyOf(items);
            partitions = Set.copyOf(partitions);
            standby = Set.copyOf(standby);
        }

        public Part(List<T> items, Set<Integer> partitions) {
            this(items, partitions, Set.of(), 0);
        }
    }

    /** The merged view: its items, the partitions read from copies that may be behind, and their largest lag. */
    public record View<T>(List<T> items, Set<Integer> standby, long lag) {
        public View {
            items = List.copyOf(items);
            standby = Set.copyOf(standby);
        }
    }

    /** This instance's own reads: the given partitions, from active copies only or from any copy within the bound. */
    public interface LocalSource<T> {
        Part<T> read(Set<Integer> partitions, boolean anyCopy, long maxLag);
    }

    public FanOut(KafkaStreams streams, HostInfo self, PeerClient peers, int partitionCount) {
        this.streams = streams;
        this.self = self;
        this.peers = peers;
        this.partitionCount = partitionCount;
    }

    /** Every partition of the stores' input topics. */
    public Set<Integer> allPartitions() {
        return IntStream.range(0, partitionCount).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Collects a view of {@code store}: this instance's part through {@code local}, the other instances' by asking
     * {@code path} with {@value #PARTITIONS_PARAM}, {@value #COPIES_PARAM} and {@code max_lag} (answered locally
     * there, read with {@code parse}).
     */
    public <T> View<T> collect(String store, String path, long maxLag, LocalSource<T> local,
                               Function<byte[], List<T>> parse) {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw new StateUnavailableException("the stream app is " + state + ", not RUNNING");
        }
        List<HostInfo> others = otherInstances(store);
        Set<Integer> missing = allPartitions();
        List<T> items = new ArrayList<>();
        Set<Integer> standby = new TreeSet<>();
        long[] lag = {0};
        StateUnavailableException failures = new StateUnavailableException("partitions of " + store
                + " are not answered by any instance within max_lag=" + maxLag);
        for (boolean anyCopy : new boolean[] {false, true}) {
            take(safely(() -> local.read(Set.copyOf(missing), anyCopy, maxLag), failures), missing, items, standby,
                    lag);
            for (HostInfo host : others) {
                if (missing.isEmpty()) {
                    break;
                }
                String query = path + "?" + PARTITIONS_PARAM + "=" + formatPartitions(missing) + "&" + COPIES_PARAM
                        + "=" + (anyCopy ? "any" : "active") + "&max_lag=" + maxLag;
                take(safely(() -> remote(host, query, parse), failures), missing, items, standby, lag);
            }
        }
        if (!missing.isEmpty()) {
            throw new StateUnavailableException("partitions " + missing + " of " + store
                    + " are not answered by any instance within max_lag=" + maxLag + " now", failures);
        }
        return new View<>(items, standby, lag[0]);
    }

    private <T> void take(Optional<Part<T>> answer, Set<Integer> missing, List<T> items, Set<Integer> standby,
                          long[] lag) {
        if (answer.isEmpty() || answer.get().partitions().isEmpty()) {
            return;
        }
        Part<T> part = answer.get();
        if (!missing.containsAll(part.partitions())) {
            // an answer for a partition already covered (or never asked for) would count it twice: leave it out
            return;
        }
        missing.removeAll(part.partitions());
        items.addAll(part.items());
        standby.addAll(part.standby());
        lag[0] = Math.max(lag[0], part.lag());
    }

    private static <T> Optional<Part<T>> safely(java.util.function.Supplier<Part<T>> read,
                                                StateUnavailableException failures) {
        try {
            return Optional.of(read.get());
        } catch (StateUnavailableException e) {
            failures.addSuppressed(e);
            return Optional.empty();
        }
    }

    /** Every other instance of the app the metadata knows of; those hosting the store's active copies first. */
    private List<HostInfo> otherInstances(String store) {
        Collection<StreamsMetadata> all;
        try {
            all = streams.metadataForAllStreamsClients();
        } catch (RuntimeException e) {
            throw new StateUnavailableException("the instances of the app are not known now: " + e.getMessage(), e);
        }
        return all.stream()
                .filter(m -> !m.hostInfo().equals(self) && !HostInfo.unavailable().equals(m.hostInfo()))
                .sorted((a, b) -> Boolean.compare(!a.stateStoreNames().contains(store),
                        !b.stateStoreNames().contains(store)))
                .map(StreamsMetadata::hostInfo)
                .distinct()
                .toList();
    }

    private <T> Part<T> remote(HostInfo host, String pathAndQuery, Function<byte[], List<T>> parse) {
        PeerClient.PeerResponse response = peers.get(host, pathAndQuery);
        if (response.status() != 200) {
            throw new StateUnavailableException("instance " + PeerClient.address(host) + " answered "
                    + response.status() + " for " + pathAndQuery + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        Set<Integer> partitions = parsePartitions(response.partitions().orElseThrow(() ->
                new StateUnavailableException("instance " + PeerClient.address(host)
                        + " did not say which partitions it answered for")));
        Set<Integer> standby = parsePartitions(response.standbyPartitions().orElse(""));
        long lag = Optional.ofNullable(response.freshness().get(PeerClient.LAG_HEADER)).map(Long::parseLong).orElse(0L);
        return new Part<>(parse.apply(response.body()), partitions, standby, lag);
    }

    public static String formatPartitions(Set<Integer> partitions) {
        return new TreeSet<>(partitions).stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** "1,3,5" as a set; anything that is not a list of partition numbers is a {@link NumberFormatException}. */
    public static Set<Integer> parsePartitions(String header) {
        Set<Integer> out = new TreeSet<>();
        for (String p : header.split(",")) {
            if (!p.isBlank()) {
                int partition = Integer.parseInt(p.strip());
                if (partition < 0) {
                    throw new NumberFormatException("a partition is not negative: " + partition);
                }
                out.add(partition);
            }
        }
        return out;
    }
}
