package dev.qis.store;

import dev.qis.fidelity.Elections;

/** One report as a candidate keeps it: the observed gain, its eval size, the verdict, and whether it is backed. */
public record CandidateReport(double observedGain, int nEvalSamples, boolean reproduced, boolean backed) {
    /** The report's weight: min(n_eval, eval cap) samples, a whole number. */
    public long weight(Elections elections) {
        return (long) elections.reportWeight(nEvalSamples);
    }
}
