package dev.qis.rest;

import java.util.List;

/**
 * {@code GET /v1/domains}: one page of the domains, sorted by name; pass {@code next_cursor} as {@code cursor} for
 * the next page (null on the last page). Between instances the page is whole (no cursor).
 */
public record DomainsResponse(List<DomainEntry> domains, String nextCursor) {
    public DomainsResponse(List<DomainEntry> domains) {
        this(domains, null);
    }
}
