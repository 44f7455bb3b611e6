package dev.qis.topology;

/** Makes sure a domain's topic exists before a routed packet is written to it; returns the topic name. */
@FunctionalInterface
public interface DomainTopics {
    /** For tests and drivers that need no broker-side creation. */
    DomainTopics NAME_ONLY = dev.qis.protocol.Topics::domain;

    String ensure(String domain);
}
