package dev.qis.rest;

/**
 * One vote on a packet: the reporter's latest report, the gain it observed, whether it reproduced the claimed gain,
 * and whether it is backed (the reporter published a run citing the packet; only backed reports count).
 */
public record ReportEntry(String reporter, String reportId, String issuedAt, double observedScore,
                          Double observedGain, int nEvalSamples, Boolean reproduced, boolean backed,
                          double reporterTrust) {
}
