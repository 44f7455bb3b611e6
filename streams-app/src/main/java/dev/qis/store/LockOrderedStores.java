package dev.qis.store;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * RocksDB key-value stores whose interactive queries take the store's locks in the same order as its writes.
 *
 * <p>Why: in Kafka Streams 4.3.1 an IQv2 query on a RocksDB store ({@code RocksDBStore.query} →
 * {@code StoreQueryUtils.handleBasicQueries}) locks the store's {@code Position} and then calls the store's
 * {@code synchronized} {@code get}/{@code range}, while the stream thread's {@code put} holds the store's monitor and
 * then locks the {@code Position}. A query and a write on the same store at the same moment deadlock: the stream
 * thread stops and every later query of that store hangs (KAFKA-19629, fixed upstream by making queries take the
 * store's lock first). The stores made here run {@code query} inside {@code synchronized} on the RocksDB store, so a
 * query takes the store's monitor, then the position's, the order every write uses; the store's own
 * {@code synchronized} methods re-enter the monitor the query already holds. A query holds the store only while it
 * opens its iterator; reading the rows happens after, without the lock.
 *
 * <p>Every other method is passed through unchanged, including {@code init} with the caller's root (RocksDB
 * registers its own restore callback and position checkpoint against it) and {@code commit}/{@code committedOffset}
 * (RocksDB keeps its changelog offsets itself). The layers Kafka Streams puts above (metered, change-logging; caching
 * is off for these stores) route IQv2 queries down to this {@code query} and do not depend on the store's concrete
 * class. Global stores do not need this: IQv2 does not serve them, and the IQv1 reads used for them do not lock the
 * position.
 *
 * <p>Drop this class, and use {@link Stores#persistentKeyValueStore(String)} directly, once the project runs on a
 * Kafka release that contains the KAFKA-19629 fix.
 */
public final class LockOrderedStores {
    private LockOrderedStores() {
    }

    /** A persistent RocksDB key-value store named {@code name}, queried in the write path's lock order. */
    public static KeyValueBytesStoreSupplier persistent(String name) {
        return wrapping(Stores.persistentKeyValueStore(name));
    }

    /** Stores from {@code inner}, each queried while holding the inner store's monitor. */
    public static KeyValueBytesStoreSupplier wrapping(KeyValueBytesStoreSupplier inner) {
        return new Supplier(Objects.requireNonNull(inner, "inner"));
    }

    private record Supplier(KeyValueBytesStoreSupplier inner) implements KeyValueBytesStoreSupplier {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public KeyValueStore<Bytes, byte[]> get() {
            return new LockOrderedStore(inner.get());
        }

        @Override
        public String metricsScope() {
            return inner.metricsScope();
        }
    }

    /** Passes everything to the inner store; runs queries inside its monitor. */
    static final class LockOrderedStore implements KeyValueStore<Bytes, byte[]> {
        private final KeyValueStore<Bytes, byte[]> inner;

        LockOrderedStore(KeyValueStore<Bytes, byte[]> inner) {
            this.inner = Objects.requireNonNull(inner, "inner");
        }

        KeyValueStore<Bytes, byte[]> inner() {
            return inner;
        }

        @Override
        public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
            // the store's monitor first, then (inside) its position's: the order of put, so never a cycle
            synchronized (inner) {
                return inner.query(query, positionBound, config);
            }
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            inner.init(context, root);
        }

        @Override
        @SuppressWarnings("deprecation")
        public void flush() {
            inner.flush();
        }

        @Override
        public void commit(Map<TopicPartition, Long> changelogOffsets) {
            inner.commit(changelogOffsets);
        }

        @Override
        public Long committedOffset(TopicPartition partition) {
            return inner.committedOffset(partition);
        }

        @Override
        @SuppressWarnings("deprecation")
        public boolean managesOffsets() {
            return inner.managesOffsets();
        }

        @Override
        public void close() {
            inner.close();
        }

        @Override
        public boolean persistent() {
            return inner.persistent();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public Position getPosition() {
            return inner.getPosition();
        }

        @Override
        public void put(Bytes key, byte[] value) {
            inner.put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            return inner.putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            inner.putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
            return inner.delete(key);
        }

        @Override
        public byte[] get(Bytes key) {
            return inner.get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return inner.range(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return inner.reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return inner.all();
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return inner.reverseAll();
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix,
                                                                                        PS prefixKeySerializer) {
            return inner.prefixScan(prefix, prefixKeySerializer);
        }

        @Override
        public long approximateNumEntries() {
            return inner.approximateNumEntries();
        }

        @Override
        public String toString() {
            return "LockOrderedStore(" + inner + ")";
        }
    }
}
