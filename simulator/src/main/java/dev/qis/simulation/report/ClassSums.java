package dev.qis.simulation.report;

import static dev.qis.simulation.report.Measures.captured;
import static dev.qis.simulation.report.Measures.mean;

import dev.qis.simulation.SimulationReport;

/** Sums of true gains over one domain class's runs, from the first round coordination can act. */
public final class ClassSums {
    private int runs;
    private double loop;
    private double random;
    private double naive;
    private double pooled;
    private double oracle;

    public void add(double loopGain, double randomGain, double naiveGain, double pooledGain, double oracleGain) {
        runs++;
        loop += loopGain;
        random += randomGain;
        naive += naiveGain;
        pooled += pooledGain;
        oracle += oracleGain;
    }

    public SimulationReport.ClassGains summary() {
        double l = mean(loop, runs);
        double r = mean(random, runs);
        double n = mean(naive, runs);
        double p = mean(pooled, runs);
        double o = mean(oracle, runs);
        return new SimulationReport.ClassGains(runs, l, r, n, p, o, captured(l, r, o), captured(n, r, o),
                captured(p, r, o));
    }
}
