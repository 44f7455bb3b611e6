package dev.qis.store;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;
import org.rocksdb.TablePropertiesCollectorFactory;

/**
 * The stores' RocksDB options: Kafka Streams' defaults, plus compaction of files dense in deletions.
 *
 * <p>A domain view deletes a key for nearly every key it writes once the domain is full (the candidate it evicts),
 * and a read of the domain's range steps over every deletion RocksDB still holds in it. RocksDB drops a deletion only
 * when a compaction carries it down to where nothing older lies below; with the defaults that waits for the level's
 * size to trigger, so a popular domain's range fills with deletions and both its reads and its evictions slow down as
 * the domain grows. A file in which any {@value #WINDOW} consecutive entries hold {@value #TRIGGER} deletions, or a
 * {@value #RATIO} share overall, is marked for compaction as it is written (RocksDB's CompactOnDeletionCollector).
 * Set by default in {@code rocksdb.config.setter}; a deployment may name its own class instead.
 */
public final class DeletionCompaction implements RocksDBConfigSetter {
    static final long WINDOW = 1_000;
    static final long TRIGGER = 200;
    static final double RATIO = 0.2;

    private TablePropertiesCollectorFactory collector;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        collector = TablePropertiesCollectorFactory.NewCompactOnDeletionCollectorFactory(WINDOW, TRIGGER, RATIO);
        options.setTablePropertiesCollectorFactory(List.of(collector));
    }

    @Override
    public void close(String storeName, Options options) {
        if (collector != null) {
            collector.close();
        }
    }
}
