package dev.qis.store;

/**
 * Value of {@link StoreNames#DOMAIN_STATS}: a domain's accepted packets, how many distinct fingerprints and nodes
 * published them, the latest issued_at seen, and how many candidates the domain's candidate set holds now. The
 * fingerprints and nodes themselves are entries of {@link StoreNames#DOMAIN_MEMBERS}, one per key, so this value
 * keeps its size however many a domain has.
 */
public record DomainStats(String domain, long packets, int fingerprintCount, int nodeCount, long lastSeen,
                          int candidates) {
    public static DomainStats empty(String domain) {
        return new DomainStats(domain, 0, 0, 0, 0L, 0);
    }
}
