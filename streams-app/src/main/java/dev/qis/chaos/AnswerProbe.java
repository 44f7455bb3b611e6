package dev.qis.chaos;

import dev.qis.client.QisApiClient;
import dev.qis.query.PeerClient;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Asks every running instance each of its queries every {@value #PERIOD_MS} ms while the chaos runs, and keeps, per
 * query, the figures availability is judged by: the longest stretch in which no instance answered 200 (what a client
 * that knows every address sees), and the longest stretch of non-200 answers from one instance that had answered since
 * it (re)started (what a client pinned to it sees; its own start-up is not counted). Measured from the first 200.
 */
final class AnswerProbe implements Runnable {
    static final long PERIOD_MS = 200;

    private final List<AppInstance> instances;
    private final List<Tracker> trackers = new ArrayList<>();
    private volatile boolean stopped;

    /** One query's figures. */
    private final class Tracker {
        final String path;
        final long[] failingSince = new long[instances.size()];
        final boolean[] answeredSinceStart = new boolean[instances.size()];
        long lastAnyOk;
        long longestNoAnswerMs;
        String longestNoAnswerAt = "-";
        long longestInstanceGapMs;
        String longestInstanceGapOf = "-";
        final Map<String, Long> answers = new TreeMap<>();
        /** Why the 503s were 503s: the start of each problem detail, counted. */
        final Map<String, Long> unavailable = new TreeMap<>();

        Tracker(String path) {
            this.path = path;
        }

        void record(int i, String outcome, long now) {
            answers.merge(outcome, 1L, Long::sum);
            if (outcome.startsWith("200")) {
                if (lastAnyOk > 0 && now - lastAnyOk > longestNoAnswerMs) {
                    longestNoAnswerMs = now - lastAnyOk;
                    longestNoAnswerAt = "until " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
                }
                lastAnyOk = now;
                failingSince[i] = 0;
                answeredSinceStart[i] = true;
            } else if (answeredSinceStart[i]) {
                if (failingSince[i] == 0) {
                    failingSince[i] = now;
                } else if (now - failingSince[i] > longestInstanceGapMs) {
                    longestInstanceGapMs = now - failingSince[i];
                    longestInstanceGapOf = instances.get(i).name() + " until "
                            + LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
                }
            }
        }

        String summary() {
            return String.format("answers %s; longest time with no 200 from any instance %.1f s (%s); longest run of"
                            + " non-200 from one instance that had answered since its start %.1f s (%s); 503 because: %s",
                    answers, longestNoAnswerMs / 1000.0, longestNoAnswerAt, longestInstanceGapMs / 1000.0,
                    longestInstanceGapOf, unavailable);
        }
    }

    AnswerProbe(List<AppInstance> instances, List<String> paths) {
        this.instances = List.copyOf(instances);
        paths.forEach(p -> trackers.add(new Tracker(p)));
    }

    @Override
    public void run() {
        while (!stopped) {
            for (int i = 0; i < instances.size(); i++) {
                AppInstance instance = instances.get(i);
                for (Tracker t : trackers) {
                    if (!instance.isRunning()) {
                        synchronized (this) {
                            t.failingSince[i] = 0;
                            t.answeredSinceStart[i] = false;
                        }
                        continue;
                    }
                    String outcome = ask(instance, t);
                    long now = System.currentTimeMillis();
                    synchronized (this) {
                        t.record(i, outcome, now);
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

    /** "200 active", "200 standby", "503", or "no answer". */
    private String ask(AppInstance instance, Tracker t) {
        try {
            QisApiClient.Answer r = instance.get(t.path);
            if (r.statusCode() == 503) {
                String detail = r.body().replaceAll(".*\"detail\":\"([^\"]*)\".*", "$1")
                        .replaceAll("[0-9]+", "N");
                synchronized (this) {
                    t.unavailable.merge(detail.substring(0, Math.min(110, detail.length())), 1L, Long::sum);
                }
            }
            return r.statusCode() == 200
                    ? "200 " + r.headers().firstValue(PeerClient.READ_FROM_HEADER).orElse("")
                    : Integer.toString(r.statusCode());
        } catch (java.io.IOException e) {
            return "no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no answer";
        }
    }

    void stop() {
        stopped = true;
    }

    /** One line per query: "GET path: answers ...". */
    synchronized List<String> summaries() {
        return trackers.stream().map(t -> "GET " + t.path + ": " + t.summary()).toList();
    }
}
