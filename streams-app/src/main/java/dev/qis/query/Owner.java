package dev.qis.query;

import org.apache.kafka.streams.state.HostInfo;

/** Where a key's state lives: on this instance or on another one, and in which partition. */
public sealed interface Owner {
    int partition();

    /** This instance owns the key. */
    record Local(int partition) implements Owner {
    }

    /** Another instance owns the key; a query for it is forwarded there. */
    record Remote(HostInfo host, int partition) implements Owner {
    }
}
