package dev.qis.topology;

/**
 * How a routed packet's signed single-object bytes become the value written to its domain topic when a schema
 * registry is configured (Schema Registry framing). Throws {@link dev.qis.registry.RegistryException} while the
 * registry cannot give an id; the packet then waits (see {@link DomainFramingProcessor}).
 */
@FunctionalInterface
public interface DomainFraming {
    byte[] frame(String topic, byte[] singleObject);
}
