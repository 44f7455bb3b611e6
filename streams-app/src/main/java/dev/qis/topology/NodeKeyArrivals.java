package dev.qis.topology;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * The node ids whose key the node-key global store has just taken, told by {@link NodeKeyRegistry} to every ingest
 * task of the same topology, so a task verifies again exactly the records held for those nodes. A bounded log read
 * by position: a reader that falls further behind than {@link #KEEP} ids is told so and checks every node it holds.
 */
final class NodeKeyArrivals {
    static final int KEEP = 10_000;
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private volatile long end;

    synchronized void arrived(String nodeId) {
        recent.addLast(nodeId);
        if (recent.size() > KEEP) {
            recent.removeFirst();
        }
        end++;
    }

    /** The position after the latest arrival; cheap to compare with a reader's position. */
    long end() {
        return end;
    }

    /** The ids that arrived from position {@code from} on, or empty when some of them are no longer kept. */
    synchronized Optional<List<String>> since(long from) {
        long first = end - recent.size();
        if (from < first) {
            return Optional.empty();
        }
        return Optional.of(recent.stream().skip(from - first).toList());
    }
}
