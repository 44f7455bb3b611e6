package dev.qis.rest;

/** One vote on a packet: the reporter's latest report and whether it reproduced the claimed gain. */
public record ReportEntry(String reporter, String reportId, String issuedAt, double observedScore,
                          int nEvalSamples, Boolean reproduced, double reporterTrust) {
}
