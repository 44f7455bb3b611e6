package dev.qis.store;

/**
 * The latest report of one reporter on one packet ("latest" = largest issued_at, then largest report id, so the
 * winner does not depend on arrival order). {@code reproduced} is null while the packet is not known yet.
 */
public record VoteEntry(String reportId, long issuedAt, double observedScore, Double baselineScore,
                        int nEvalSamples, Boolean reproduced) {
    public boolean supersedes(VoteEntry other) {
        return other == null || issuedAt > other.issuedAt
                || (issuedAt == other.issuedAt && reportId.compareTo(other.reportId) > 0);
    }

    public VoteEntry withReproduced(Boolean value) {
        return new VoteEntry(reportId, issuedAt, observedScore, baselineScore, nEvalSamples, value);
    }
}
