package dev.relay.relay;

import dev.relay.files.IoCause;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * The failures of the relay's own file work in a row (a full disk, a directory made read-only): how long to pause,
 * when to say so in the status and a notification, and when it is over. Logs each failure once, with a count.
 */
final class IoFaults {
    static final int FAILURES_BEFORE_NOTICE = 3;

    /** One failure as the loop reports it: {@code first} of a series, or the one that warrants a notification. */
    record Failure(String cause, String detail, boolean first, boolean notice) {}

    /** A series of failures that ended; {@code noticed} when it had been notified. */
    record Ended(int failures, String cause, boolean noticed) {}

    private final RepeatedWarning warning;
    private int failures;
    private Instant retryAt = Instant.MIN;
    private String cause;
    private boolean notified;
    private boolean failedThisRound;

    IoFaults(Logger log) {
        this.warning = new RepeatedWarning(log);
    }

    Failure failed(String what, RuntimeException e, Instant now) {
        failedThisRound = true;
        failures++;
        String detail = detail(e);
        cause = what + ": " + detail;
        retryAt = now.plus(RetryPolicy.ioPause(failures));
        warning.warn(cause, e, now);
        boolean notice = failures == FAILURES_BEFORE_NOTICE && !notified;
        if (notice) {
            notified = true;
        }
        return new Failure(cause, detail, failures == 1, notice);
    }

    void beginRound() {
        failedThisRound = false;
    }

    /** True when a round of work went through after failures: the series is over. */
    boolean overAfter(boolean stepped) {
        return stepped && !failedThisRound && failures > 0;
    }

    Ended end(Instant now) {
        warning.cleared("the relay writes its files", now);
        Ended ended = new Ended(failures, cause, notified);
        failures = 0;
        cause = null;
        notified = false;
        retryAt = Instant.MIN;
        return ended;
    }

    boolean pausing(Instant now) {
        return now.isBefore(retryAt);
    }

    Instant retryAt() {
        return retryAt;
    }

    /** Failing long enough to be an error in the status. */
    boolean lasting() {
        return failures >= FAILURES_BEFORE_NOTICE;
    }

    String cause() {
        return cause;
    }

    /** The failure's message with its cause in the system's words, once. */
    static String detail(RuntimeException e) {
        String cause = IoCause.of(e);
        String message = e.getMessage();
        return message == null || message.isBlank() ? cause : message.contains(cause) ? message : message + ": " + cause;
    }
}
