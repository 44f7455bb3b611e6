package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.query.QueryService;
import dev.qis.query.StateViews;
import dev.qis.store.PacketState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueryRoutesPagingTest {
    private static List<DomainEntry> domains(String... names) {
        List<DomainEntry> out = new ArrayList<>();
        for (String n : names) {
            out.add(new DomainEntry(n, 1, 1, 1, null));
        }
        return out;
    }

    private static List<String> names(DomainsResponse r) {
        return r.domains().stream().map(DomainEntry::domain).toList();
    }

    @Test
    void domainsComeInPagesAfterTheCursor() {
        List<DomainEntry> all = domains("a", "b", "c", "d", "e");
        DomainsResponse first = DomainRoutes.page(all, 2, Optional.empty());
        assertEquals(List.of("a", "b"), names(first));
        assertEquals("b", first.nextCursor());
        DomainsResponse second = DomainRoutes.page(all, 2, Optional.of(first.nextCursor()));
        assertEquals(List.of("c", "d"), names(second));
        DomainsResponse last = DomainRoutes.page(all, 2, Optional.of(second.nextCursor()));
        assertEquals(List.of("e"), names(last));
        assertNull(last.nextCursor(), "the last page has no cursor");
        assertTrue(DomainRoutes.page(all, 2, Optional.of("zz")).domains().isEmpty());
        DomainsResponse whole = DomainRoutes.page(all, 5, Optional.empty());
        assertEquals(5, whole.domains().size());
        assertNull(whole.nextCursor(), "a page that holds every domain is the last");
        assertEquals(List.of("c", "d", "e"), names(DomainRoutes.page(all, 10, Optional.of("bb"))),
                "a cursor between names starts after it");
    }

    @Test
    void aFingerprintsSynthesisReadsAtMostItsBound() {
        int stored = 5_000;
        List<Integer> asked = new ArrayList<>();
        List<StateViews.Scored<PacketState>> read = QueryService.firstPackets(2_000, (cursor, limit) -> {
            int from = cursor.map(Integer::parseInt).orElse(0);
            asked.add(limit);
            int to = Math.min(stored, from + limit);
            List<StateViews.Scored<PacketState>> page = new ArrayList<>();
            for (int i = from; i < to; i++) {
                page.add(new StateViews.Scored<>(PacketState.pending("p" + i, 0), null));
            }
            return new StateViews.PacketPage(page, to < stored ? Optional.of(Integer.toString(to)) : Optional.empty());
        });
        assertEquals(2_000, read.size());
        assertEquals(List.of(1_000, 1_000), asked, "pages of at most 1,000, never past the bound");
        List<StateViews.Scored<PacketState>> few = QueryService.firstPackets(2_000,
                (cursor, limit) -> new StateViews.PacketPage(List.of(), Optional.empty()));
        assertTrue(few.isEmpty());
    }
}
