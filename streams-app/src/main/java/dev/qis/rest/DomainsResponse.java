package dev.qis.rest;

import java.util.List;

/** {@code GET /v1/domains}: every domain, sorted by name. */
public record DomainsResponse(List<DomainEntry> domains) {
}
