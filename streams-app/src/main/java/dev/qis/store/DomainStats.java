package dev.qis.store;

import java.util.TreeSet;

/**
 * Value of {@link StoreNames#DOMAIN_STATS}: a domain's accepted packets, its distinct fingerprints and nodes,
 * the latest issued_at seen, and how many candidates the domain's candidate set holds now.
 */
public record DomainStats(String domain, long packets, TreeSet<String> fingerprints, TreeSet<String> nodes,
                          long lastSeen, int candidates) {
    public static DomainStats empty(String domain) {
        return new DomainStats(domain, 0, new TreeSet<>(), new TreeSet<>(), 0L, 0);
    }

    public int fingerprintCount() {
        return fingerprints.size();
    }

    public int nodeCount() {
        return nodes.size();
    }
}
