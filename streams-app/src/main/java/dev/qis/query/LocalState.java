package dev.qis.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Reads this instance's own state with IQv2, checking every partition's result: a partition that failed is never
 * mistaken for an empty one. By default from active tasks only; {@link #withStandbys()} also reads standby and
 * restoring copies (KIP-535), for a client that accepts an answer a bounded number of records behind.
 */
public final class LocalState {
    private final KafkaStreams streams;
    private final boolean activeOnly;

    /** Rows read from the partitions this instance answered for; {@code partitions} says which those were. */
    public record Slice<K, V>(List<KeyValue<K, V>> rows, Set<Integer> partitions) {
        public Slice {
            rows = List.copyOf(rows);
            partitions = Set.copyOf(partitions);
        }
    }

    public LocalState(KafkaStreams streams) {
        this(streams, true);
    }

    private LocalState(KafkaStreams streams, boolean activeOnly) {
        this.streams = streams;
        this.activeOnly = activeOnly;
    }

    /** The same reads from any copy this instance holds of a partition: active, restoring or standby. */
    public LocalState withStandbys() {
        return new LocalState(streams, false);
    }

    /**
     * How many records this instance's copy of a store partition is behind the end of its changelog, from
     * {@code allLocalStorePartitionLags()}; empty when this instance holds no copy of it.
     */
    public Optional<Long> lag(String store, int partition) {
        return Optional.ofNullable(lags(store).get(partition));
    }

    /** The lag of every copy this instance holds of a store's partitions, by partition. */
    public Map<Integer, Long> lags(String store) {
        Map<Integer, LagInfo> lags;
        try {
            lags = streams.allLocalStorePartitionLags().getOrDefault(store, Map.of());
        } catch (StreamsException | IllegalStateException e) {
            throw new StateUnavailableException("the lag of store " + store + " is not known now: " + e.getMessage(),
                    e);
        }
        Map<Integer, Long> out = new java.util.TreeMap<>();
        lags.forEach((p, info) -> out.put(p, info.offsetLag()));
        return out;
    }

    /** One key from one partition this instance must own (the partition came from the key's metadata). */
    public <K, V> Optional<V> get(String store, K key, int partition) {
        StateQueryRequest<V> request = mode(StateQueryRequest.inStore(store)
                .withQuery(KeyQuery.<K, V>withKey(key))
                .withPartitions(Set.of(partition)));
        StateQueryResult<V> result = run(request);
        QueryResult<V> partitionResult = result.getPartitionResults().get(partition);
        if (partitionResult == null) {
            throw new StateUnavailableException("store " + store + " partition " + partition
                    + " gave no answer on this instance (it may have moved in a rebalance)");
        }
        requireSuccess(store, partition, partitionResult);
        return Optional.ofNullable(partitionResult.getResult());
    }

    /**
     * Rows with keys in [from, to] (both null: every key) that {@code keep} accepts, in key order within each
     * partition, from one partition or (when {@code partition} is empty) every partition this instance is active
     * for. Partitions held here only as standbys are skipped, not failed: their active owner answers for them. At
     * most {@code limit} accepted rows per partition are read.
     */
    public <K, V> Slice<K, V> range(String store, K from, K to, Optional<Integer> partition, int limit,
                                    Predicate<KeyValue<K, V>> keep) {
        RangeQuery<K, V> range = from == null && to == null ? RangeQuery.withNoBounds() : RangeQuery.withRange(from, to);
        StateQueryRequest<KeyValueIterator<K, V>> query = StateQueryRequest.inStore(store).withQuery(range);
        StateQueryRequest<KeyValueIterator<K, V>> request = mode(partition
                .map(p -> query.withPartitions(Set.of(p)))
                .orElseGet(query::withAllPartitions));
        StateQueryResult<KeyValueIterator<K, V>> result = run(request);
        List<KeyValue<K, V>> rows = new ArrayList<>();
        Set<Integer> answered = new TreeSet<>();
        StateUnavailableException failure = null;
        Set<Integer> closed = new TreeSet<>();
        try {
            for (Map.Entry<Integer, QueryResult<KeyValueIterator<K, V>>> e : result.getPartitionResults().entrySet()) {
                QueryResult<KeyValueIterator<K, V>> r = e.getValue();
                if (r.isFailure()) {
                    boolean standbyHere = partition.isEmpty() && r.getFailureReason() == FailureReason.NOT_ACTIVE;
                    if (!standbyHere && failure == null) {
                        failure = unavailable(store, e.getKey(), r);
                    }
                    continue;
                }
                closed.add(e.getKey());
                try (KeyValueIterator<K, V> it = r.getResult()) {
                    int n = 0;
                    while (n < limit && it.hasNext()) {
                        KeyValue<K, V> row = it.next();
                        if (keep.test(row)) {
                            rows.add(row);
                            n++;
                        }
                    }
                }
                answered.add(e.getKey());
            }
        } finally {
            // a failure while reading one partition must not leave the other partitions' iterators open
            result.getPartitionResults().forEach((p, r) -> {
                if (!closed.contains(p) && r.isSuccess() && r.getResult() != null) {
                    r.getResult().close();
                }
            });
        }
        if (failure != null) {
            throw failure;
        }
        if (partition.isPresent() && !answered.contains(partition.get())) {
            throw new StateUnavailableException("store " + store + " partition " + partition.get()
                    + " is not active on this instance");
        }
        return new Slice<>(rows, answered);
    }

    /**
     * Every row {@code keep} accepts from those of {@code partitions} this instance can answer for now: from its active
     * copies, or (after {@link #withStandbys()}) from any copy at most {@code maxLag} records behind its changelog. A
     * partition it cannot answer for is left out of the slice, not failed: the caller looks for another copy.
     */
    public <K, V> Slice<K, V> rangeOf(String store, Set<Integer> partitions, long maxLag,
                                      Predicate<KeyValue<K, V>> keep) {
        Set<Integer> wanted = new TreeSet<>(partitions);
        KafkaStreams.State state = streams.state();
        if (activeOnly && state != KafkaStreams.State.RUNNING) {
            return new Slice<>(List.of(), Set.of());
        }
        if (!activeOnly) {
            Map<Integer, Long> lags;
            try {
                lags = lags(store);
            } catch (StateUnavailableException e) {
                return new Slice<>(List.of(), Set.of());
            }
            wanted.removeIf(p -> lags.get(p) == null || lags.get(p) > maxLag);
        }
        if (wanted.isEmpty()) {
            return new Slice<>(List.of(), Set.of());
        }
        StateQueryRequest<KeyValueIterator<K, V>> request = mode(StateQueryRequest.inStore(store)
                .withQuery(RangeQuery.<K, V>withNoBounds()).withPartitions(wanted));
        StateQueryResult<KeyValueIterator<K, V>> result;
        try {
            result = run(request);
        } catch (StateUnavailableException e) {
            return new Slice<>(List.of(), Set.of());
        }
        List<KeyValue<K, V>> rows = new ArrayList<>();
        Set<Integer> answered = new TreeSet<>();
        Set<Integer> closed = new TreeSet<>();
        try {
            for (Map.Entry<Integer, QueryResult<KeyValueIterator<K, V>>> e : result.getPartitionResults().entrySet()) {
                QueryResult<KeyValueIterator<K, V>> r = e.getValue();
                if (!wanted.contains(e.getKey()) || r.isFailure() || r.getResult() == null) {
                    continue;
                }
                closed.add(e.getKey());
                try (KeyValueIterator<K, V> it = r.getResult()) {
                    while (it.hasNext()) {
                        KeyValue<K, V> row = it.next();
                        if (keep.test(row)) {
                            rows.add(row);
                        }
                    }
                }
                answered.add(e.getKey());
            }
        } catch (StreamsException | IllegalStateException e) {
            // a store closed under the read (the partition moved): whatever this read found is not a whole answer
            return new Slice<>(List.of(), Set.of());
        } finally {
            result.getPartitionResults().forEach((p, r) -> {
                if (!closed.contains(p) && r.isSuccess() && r.getResult() != null) {
                    r.getResult().close();
                }
            });
        }
        return new Slice<>(rows, answered);
    }

    private <R> StateQueryRequest<R> mode(StateQueryRequest<R> request) {
        return activeOnly ? request.requireActive() : request;
    }

    private <R> StateQueryResult<R> run(StateQueryRequest<R> request) {
        KafkaStreams.State state = streams.state();
        // a standby copy stays readable while the group rebalances; an active answer waits for RUNNING
        boolean readable = state == KafkaStreams.State.RUNNING
                || (!activeOnly && state == KafkaStreams.State.REBALANCING);
        if (!readable) {
            throw new StateUnavailableException("the stream app is " + state + ", not RUNNING");
        }
        try {
            return streams.query(request);
        } catch (StreamsException | IllegalStateException e) {
            // InvalidStateStoreException and friends, raised while rebalancing or shutting down: a retry will succeed or go elsewhere
            throw new StateUnavailableException("store " + request.getStoreName() + " cannot be queried now: "
                    + e.getMessage(), e);
        }
    }

    private static void requireSuccess(String store, int partition, QueryResult<?> result) {
        if (result.isFailure()) {
            throw unavailable(store, partition, result);
        }
    }

    private static StateUnavailableException unavailable(String store, int partition, QueryResult<?> result) {
        FailureReason reason = result.getFailureReason();
        if (reason == FailureReason.UNKNOWN_QUERY_TYPE) {
            // a programming error, not a transient state: let it surface as a 500
            throw new IllegalStateException("store " + store + " does not support the query: "
                    + result.getFailureMessage());
        }
        // NOT_ACTIVE, NOT_UP_TO_BOUND, NOT_PRESENT, DOES_NOT_EXIST, STORE_EXCEPTION: all seen during rebalances
        return new StateUnavailableException("store " + store + " partition " + partition + " is unavailable ("
                + reason + "): " + result.getFailureMessage());
    }
}
