package dev.qis.store;

/**
 * The latest report of one reporter on one packet ("latest" = largest issued_at, then largest report id, so the
 * winner does not depend on arrival order). {@code observedGain} and {@code reproduced} are null while the packet
 * is not known yet (the gain is taken against the reporter's baseline, or the packet's when it gave none).
 */
public record VoteEntry(String reportId, long issuedAt, double observedScore, Double baselineScore,
                        int nEvalSamples, Boolean reproduced, Double observedGain) {
    public boolean supersedes(VoteEntry other) {
        return other == null || issuedAt > other.issuedAt
                || (issuedAt == other.issuedAt && reportId.compareTo(other.reportId) > 0);
    }

    public VoteEntry judged(double gain, boolean reproduces) {
        return new VoteEntry(reportId, issuedAt, observedScore, baselineScore, nEvalSamples, reproduces, gain);
    }
}
