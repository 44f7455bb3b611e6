package dev.qis.rest;

import java.util.List;

/**
 * {@code GET /v1/fingerprints/{fp}/packets}: one page in packet-id order; pass {@code next_cursor} as
 * {@code cursor} for the next page (null on the last page).
 */
public record PacketsPage(String fingerprint, List<PacketEntry> packets, String nextCursor) {
}
