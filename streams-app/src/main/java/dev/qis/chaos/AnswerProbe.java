package dev.qis.chaos;

import java.util.List;

/**
 * Asks every running instance one top-k query every {@value #PERIOD_MS} ms while the chaos runs, and keeps the two
 * figures availability is judged by: the longest stretch in which no instance answered 200 (what a client with
 * every address sees), and the longest stretch of non-200 answers from one running instance (what a client pinned
 * to it sees). Measured from the first 200; a killed instance's down time is not held against it.
 */
final class AnswerProbe implements Runnable {
    static final long PERIOD_MS = 200;

    private final List<AppInstance> instances;
    private final String path;
    private volatile boolean stopped;
    private long lastAnyOk;
    private long longestNoAnswerMs;
    private long longestInstanceGapMs;
    private String longestInstanceGapOf = "-";
    private long queries;
    private long answered;

    AnswerProbe(List<AppInstance> instances, String path) {
        this.instances = List.copyOf(instances);
        this.path = path;
    }

    @Override
    public void run() {
        long[] failingSince = new long[instances.size()];
        while (!stopped) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < instances.size(); i++) {
                AppInstance instance = instances.get(i);
                if (!instance.isRunning()) {
                    failingSince[i] = 0;
                    continue;
                }
                int status = instance.status(path);
                synchronized (this) {
                    queries++;
                    if (status == 200) {
                        answered++;
                        if (lastAnyOk > 0) {
                            longestNoAnswerMs = Math.max(longestNoAnswerMs, now - lastAnyOk);
                        }
                        lastAnyOk = now;
                        failingSince[i] = 0;
                    } else if (lastAnyOk > 0) {
                        if (failingSince[i] == 0) {
                            failingSince[i] = now;
                        } else if (now - failingSince[i] > longestInstanceGapMs) {
                            longestInstanceGapMs = now - failingSince[i];
                            longestInstanceGapOf = instance.name();
                        }
                    }
                }
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void stop() {
        stopped = true;
    }

    synchronized String summary() {
        return String.format("%d queries, %d answered 200; longest time with no 200 from any instance %.1f s;"
                + " longest run of non-200 from one running instance %.1f s (%s)", queries, answered,
                longestNoAnswerMs / 1000.0, longestInstanceGapMs / 1000.0, longestInstanceGapOf);
    }
}
