package dev.qis.store;

/** One report as a candidate keeps it: the observed gain, its eval size, the verdict, and whether it is backed. */
public record CandidateReport(double observedGain, int nEvalSamples, boolean reproduced, boolean backed) {
}
