package dev.qis.rest;

import java.util.List;

/** {@code GET /v1/domains/{domain}/top}: the top-k routed packets, best first. */
public record TopResponse(String domain, int k, List<PacketEntry> entries) {
}
