package dev.qis.testing;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way the tests wait for something a broker, a stream app or a server does in its own time: poll a condition
 * until it holds or a timeout passes, then fail with what was last observed. Never a blind sleep.
 */
public final class Wait {
    private static final Duration POLL = Duration.ofMillis(100);

    private Wait() {
    }

    /** A condition that may throw while the thing it looks at is not ready yet (a refused connection, a 503). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A look at some state that may throw while it is not ready yet. */
    @FunctionalInterface
    public interface Probe<T> {
        T observe() throws Exception;
    }

    /**
     * Returns once {@code condition} holds; fails after {@code timeout} with {@code message} (asked for then, so it
     * can describe the state last observed) and the last exception the condition threw, if any.
     */
    public static void waitFor(Condition condition, Duration timeout, Supplier<String> message) {
        waitFor(condition::holds, Boolean::booleanValue, timeout, last -> message.get());
    }

    /**
     * Observes {@code probe} until what it sees satisfies {@code done}, and returns that; fails after {@code timeout}
     * with {@code message} applied to the last observation (null when the probe never answered) and the last
     * exception the probe threw, if any.
     */
    public static <T> T waitFor(Probe<T> probe, Predicate<? super T> done, Duration timeout,
            Function<? super T, String> message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        while (true) {
            try {
                T seen = probe.observe();
                last = seen;
                lastError = null;
                if (done.test(seen)) {
                    return seen;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + message.apply(last), e);
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError("timed out after " + timeout + " waiting for: "
                        + message.apply(last) + (lastError == null ? "" : " (last error: " + lastError + ")"));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
