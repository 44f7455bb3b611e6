package dev.qis.rest;

import java.util.List;

/** {@code GET /v1/instances}: this instance's state and every instance of the app with what it hosts. */
public record InstancesResponse(String self, String state, List<Instance> instances) {
    /** One instance: its address and the partitions it is active or standby for. */
    public record Instance(String host, int port, boolean self, List<String> stores, List<String> activePartitions,
                           List<String> standbyPartitions) {
    }
}
