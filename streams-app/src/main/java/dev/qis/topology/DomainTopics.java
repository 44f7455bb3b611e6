package dev.qis.topology;

/** Makes sure a domain's topic exists before a routed packet is written to it; returns the topic name. */
@FunctionalInterface
public interface DomainTopics {
    /** For tests and drivers that need no broker-side creation. */
    DomainTopics NAME_ONLY = dev.qis.protocol.Topics::domain;

    String ensure(String domain);

    /**
     * Starts making the domain's topic, without waiting, ahead of the first {@link #ensure}: ingest calls it when
     * it accepts a packet, so the creation runs while the packet crosses the repartition topic to the packet state
     * instead of holding the stream thread when the packet is routed. By default nothing.
     */
    default void prepare(String domain) {
    }
}
