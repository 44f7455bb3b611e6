package dev.qis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.TableProperties;

class DeletionCompactionTest {
    @TempDir
    Path dir;

    @Test
    void theSetterAddsTheDeletionCollectorAndReleasesItOnClose() {
        DeletionCompaction setter = new DeletionCompaction();
        try (Options options = new Options()) {
            setter.setConfig("qis-domain-candidates", options, Map.of());
            assertEquals(1, options.tablePropertiesCollectorFactory().size());
            setter.close("qis-domain-candidates", options);
        }
    }

    /**
     * A store used as the domain view uses it, keys added and the lowest deleted again and again: with the setter,
     * compaction leaves far fewer deletions in the store's files than without, and the live keys are the same.
     */
    @Test
    void deletionsAreCompactedAwayAndTheLiveKeysStay() throws Exception {
        long without = deletionsLeft(dir.resolve("without"), false);
        long with = deletionsLeft(dir.resolve("with"), true);
        assertTrue(with * 4 < without, "deletions left in the files: " + with + " with the setter, " + without
                + " without");
    }

    private static long deletionsLeft(Path path, boolean compact) throws Exception {
        RocksDB.loadLibrary();
        DeletionCompaction setter = new DeletionCompaction();
        try (Options options = new Options().setCreateIfMissing(true).setWriteBufferSize(256 * 1024)) {
            if (compact) {
                setter.setConfig("s", options, Map.of());
            }
            try (RocksDB db = RocksDB.open(options, path.toString()); FlushOptions flush = new FlushOptions()) {
                for (int i = 0; i < 50_000; i++) {
                    db.put(key(i), new byte[100]);
                    if (i >= 200) {
                        db.delete(key(i - 200));
                    }
                }
                db.flush(flush.setWaitForFlush(true));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (db.getLongProperty("rocksdb.compaction-pending") > 0
                        || db.getLongProperty("rocksdb.num-running-compactions") > 0) {
                    assertTrue(System.nanoTime() < deadline, "compactions still running after 30 s");
                    Thread.sleep(50);
                }
                int live = 0;
                try (RocksIterator it = db.newIterator()) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        live++;
                    }
                }
                assertEquals(200, live);
                long deletions = 0;
                for (TableProperties t : db.getPropertiesOfAllTables().values()) {
                    deletions += t.getNumDeletions();
                }
                return deletions;
            } finally {
                if (compact) {
                    setter.close("s", options);
                }
            }
        }
    }

    private static byte[] key(int i) {
        return String.format("d/%08d", i).getBytes(StandardCharsets.UTF_8);
    }
}
