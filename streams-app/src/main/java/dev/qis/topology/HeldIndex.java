package dev.qis.topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The in-memory index of one ingest task's held records (the store is the truth; this is rebuilt from it when the
 * task starts): each node's waiting records oldest first, and all of them oldest first for expiry.
 */
final class HeldIndex {
    /** One held record: when it was first seen, its store key, the node it waits for. */
    record Entry(long firstSeen, String key, String node) {
    }

    private static final Comparator<Entry> OLDEST_FIRST = Comparator.comparingLong(Entry::firstSeen)
            .thenComparing(Entry::key);
    private final Map<String, TreeSet<Entry>> byNode = new HashMap<>();
    private final TreeSet<Entry> byAge = new TreeSet<>(OLDEST_FIRST);
    private final Map<String, Entry> byKey = new HashMap<>();

    void add(Entry e) {
        if (byKey.putIfAbsent(e.key(), e) == null) {
            byNode.computeIfAbsent(e.node(), n -> new TreeSet<>(OLDEST_FIRST)).add(e);
            byAge.add(e);
        }
    }

    void remove(String key) {
        Entry e = byKey.remove(key);
        if (e != null) {
            byAge.remove(e);
            TreeSet<Entry> ofNode = byNode.get(e.node());
            ofNode.remove(e);
            if (ofNode.isEmpty()) {
                byNode.remove(e.node());
            }
        }
    }

    int size() {
        return byKey.size();
    }

    int count(String node) {
        TreeSet<Entry> ofNode = byNode.get(node);
        return ofNode == null ? 0 : ofNode.size();
    }

    /** The node's waiting records, oldest first (a copy: the caller may remove while it walks them). */
    List<Entry> of(String node) {
        TreeSet<Entry> ofNode = byNode.get(node);
        return ofNode == null ? List.of() : new ArrayList<>(ofNode);
    }

    Optional<Entry> oldest() {
        return byAge.isEmpty() ? Optional.empty() : Optional.of(byAge.first());
    }

    Optional<Entry> oldestOf(String node) {
        TreeSet<Entry> ofNode = byNode.get(node);
        return ofNode == null ? Optional.empty() : Optional.of(ofNode.first());
    }

    Set<String> nodes() {
        return Set.copyOf(byNode.keySet());
    }

    void clear() {
        byNode.clear();
        byAge.clear();
        byKey.clear();
    }
}
