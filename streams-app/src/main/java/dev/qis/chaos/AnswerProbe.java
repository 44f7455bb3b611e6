package dev.qis.chaos;

import dev.qis.query.PeerClient;
import java.net.http.HttpResponse;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Asks every running instance one top-k query every {@value #PERIOD_MS} ms while the chaos runs, and keeps the
 * figures availability is judged by: the longest stretch in which no instance answered 200 (what a client that knows
 * every address sees), and the longest stretch of non-200 answers from one instance that had answered since it
 * (re)started (what a client pinned to it sees; its own start-up is not counted). Measured from the first 200.
 */
final class AnswerProbe implements Runnable {
    static final long PERIOD_MS = 200;

    private final List<AppInstance> instances;
    private final String path;
    private volatile boolean stopped;
    private long lastAnyOk;
    private long longestNoAnswerMs;
    private String longestNoAnswerAt = "-";
    private long longestInstanceGapMs;
    private String longestInstanceGapOf = "-";
    private final Map<String, Long> answers = new TreeMap<>();
    /** Why the 503s were 503s: the start of each problem detail, counted. */
    private final Map<String, Long> unavailable = new TreeMap<>();

    AnswerProbe(List<AppInstance> instances, String path) {
        this.instances = List.copyOf(instances);
        this.path = path;
    }

    @Override
    public void run() {
        long[] failingSince = new long[instances.size()];
        boolean[] answeredSinceStart = new boolean[instances.size()];
        while (!stopped) {
            for (int i = 0; i < instances.size(); i++) {
                AppInstance instance = instances.get(i);
                if (!instance.isRunning()) {
                    failingSince[i] = 0;
                    answeredSinceStart[i] = false;
                    continue;
                }
                String outcome = ask(instance);
                long now = System.currentTimeMillis();
                synchronized (this) {
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
                            longestInstanceGapOf = instance.name() + " until "
                                    + LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
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

    /** "200 active", "200 standby", "503", or "no answer". */
    private String ask(AppInstance instance) {
        try {
            HttpResponse<String> r = instance.get(path);
            if (r.statusCode() == 503) {
                String detail = r.body().replaceAll(".*\"detail\":\"([^\"]*)\".*", "$1")
                        .replaceAll("[0-9]+", "N");
                synchronized (this) {
                    unavailable.merge(detail.substring(0, Math.min(110, detail.length())), 1L, Long::sum);
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

    synchronized String summary() {
        return String.format("answers %s; longest time with no 200 from any instance %.1f s (%s); longest run of"
                + " non-200 from one instance that had answered since its start %.1f s (%s); 503 because: %s",
                answers, longestNoAnswerMs / 1000.0, longestNoAnswerAt, longestInstanceGapMs / 1000.0,
                longestInstanceGapOf, unavailable);
    }
}
