package dev.qis.simulation.report;

import dev.qis.simulation.ProgressListener;
import dev.qis.simulation.SimulationReport;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr: one line redrawn in place on a terminal; on a pipe or file, one plain line per round.
 */
public final class ConsoleProgress implements ProgressListener {
    static final int WIDTH = 30;
    static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream err;
    private final boolean terminal;
    private long lastDraw;
    private int lastLength;

    public ConsoleProgress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** On the process's stderr; a console means a terminal (the JDK cannot ask about stderr alone). */
    public static ConsoleProgress onStderr() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public void progress(int round, int rounds, long done, long total, String phase) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && done < total) {
            return;
        }
        lastDraw = now;
        double share = total == 0 ? 1 : (double) done / total;
        int filled = (int) Math.round(share * WIDTH);
        String text = String.format(Locale.ROOT, "round %d/%d [%s%s] %3.0f%%  %s", round + 1, rounds,
                "#".repeat(filled), ".".repeat(WIDTH - filled), 100 * share, phase);
        draw(text);
    }

    @Override
    public void roundFinished(SimulationReport.RoundResult r, int rounds) {
        String text = String.format(Locale.ROOT,
                "round %d/%d: %d honest runs, true gain %.4f (random %.4f, naive %.4f), %d packets stored,"
                        + " Byzantine top-k share %.1f%%, synthesis p50 %.1f ms",
                r.round() + 1, rounds, r.honestRuns(), r.loopGain(), r.noCoordinationGain(), r.naiveGain(),
                r.packetsStored(), 100 * r.byzantineTopShare(), r.synthesis().p50Ms());
        if (terminal) {
            draw(text);
            err.println();
            lastLength = 0;
        } else {
            err.println(text);
        }
    }

    @Override
    public void warning(String message) {
        if (terminal && lastLength > 0) {
            err.println();
            lastLength = 0;
        }
        err.println("warning: " + message);
    }

    private void draw(String text) {
        int pad = Math.max(0, lastLength - text.length());
        err.print("\r" + text + " ".repeat(pad));
        err.flush();
        lastLength = text.length();
    }
}
