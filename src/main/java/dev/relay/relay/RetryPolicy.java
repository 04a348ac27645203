package dev.relay.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * When to try again, as arithmetic only: a failed coordinator call (full jitter, capped higher once the API keeps
 * failing, or the wait the API asked for), a failing file write, a session that cannot take its replies.
 */
final class RetryPolicy {
    static final Duration BASE = Duration.ofSeconds(1);
    static final Duration CAP = Duration.ofSeconds(60);
    static final Duration BACKOFF_CAP = Duration.ofMinutes(5);
    static final int FAILURES_BEFORE_BACKOFF = 3;
    static final Duration IO_BASE = Duration.ofMillis(250);
    static final Duration IO_CAP = Duration.ofSeconds(10);
    static final Duration SESSION_BASE = Duration.ofSeconds(1);
    static final Duration SESSION_CAP = Duration.ofSeconds(60);

    /** What a failed call leads to: the next retry state, and whether the relay is now backing off (and just began). */
    record Decision(Retry next, boolean refused, boolean backingOff, boolean startsBackoff) {}

    private final LongUnaryOperator random;

    /** @param random  given a bound, a number in [0, bound) */
    RetryPolicy(LongUnaryOperator random) {
        this.random = random;
    }

    static RetryPolicy jittered() {
        return new RetryPolicy(bound -> ThreadLocalRandom.current().nextLong(bound));
    }

    /**
     * A call failed at {@code now}. A refusal holds the turn until the operator resumes; anything else is tried
     * again, after the wait the API asked for or a jittered pause.
     */
    Decision afterFailure(Retry before, boolean retryable, Optional<Duration> retryAfter, String message, Instant now) {
        if (!retryable) {
            return new Decision(before.held(new Retry.Hold(Retry.Hold.Kind.REFUSED, message)), true, false, false);
        }
        int attempts = before.attempts() + 1;
        int failures = before.consecutiveFailures() + 1;
        Duration delay;
        String detail;
        if (retryAfter.isPresent()) {
            delay = retryAfter.get();
            detail = delay.compareTo(CAP) > 0
                    ? "deferred: the API asked to wait " + delay.toSeconds() + " s"
                    : "retrying in " + Math.max(1, delay.toSeconds()) + " s as the API asked";
        } else {
            delay = fullJitter(attempts, failures >= FAILURES_BEFORE_BACKOFF ? BACKOFF_CAP : CAP);
            detail = "retrying in " + Math.max(1, delay.toSeconds()) + " s";
        }
        Retry next = new Retry(attempts, failures, now.plus(delay), detail, before.hold());
        return new Decision(next, false, failures >= FAILURES_BEFORE_BACKOFF, failures == FAILURES_BEFORE_BACKOFF);
    }

    /** A pause drawn evenly from zero to the exponential ceiling of this attempt, at most {@code cap}. */
    Duration fullJitter(int attempt, Duration cap) {
        long ceiling = Math.min(cap.toMillis(), BASE.toMillis() << Math.min(attempt, 20));
        return Duration.ofMillis(random.applyAsLong(ceiling + 1));
    }

    /** The pause after the relay's own files failed {@code failures} times in a row. */
    static Duration ioPause(int failures) {
        return exponential(IO_BASE, IO_CAP, failures);
    }

    /** The pause before a session that failed {@code failures} times in a row is handed its replies again. */
    static Duration sessionPause(int failures) {
        return exponential(SESSION_BASE, SESSION_CAP, failures);
    }

    private static Duration exponential(Duration base, Duration cap, int failures) {
        return Duration.ofMillis(Math.min(cap.toMillis(), base.toMillis() << Math.min(failures - 1, 16)));
    }
}
