package dev.relay.relay;

import dev.relay.files.IoCause;
import dev.relay.notify.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * The failures of the relay's own file work in a row (a full disk, a directory made read-only): how long to pause,
 * when to say so in the status and a notification, and when it is over. Logs each failure once, with a count.
 */
final class IoFaults {
    static final int FAILURES_BEFORE_NOTICE = 3;

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

    /**
     * Counts a failure; answers it as the last error, told when it is the first of a series, and as an error with a
     * notification when it has lasted.
     */
    List<Effect> failed(String what, RuntimeException e, Instant now) {
        failedThisRound = true;
        failures++;
        String detail = detail(e);
        cause = what + ": " + detail;
        retryAt = now.plus(RetryPolicy.ioPause(failures));
        warning.warn(cause, e, now);
        List<Effect> out = new ArrayList<>(List.of(new Effect.LastError(cause)));
        if (failures == 1) {
            out.add(new Effect.Tell(new RelayEvent.Problem(cause)));
        }
        if (failures == FAILURES_BEFORE_NOTICE && !notified) {
            notified = true;
            out.add(new Effect.Stopped("cannot write its files: " + detail + " (retrying; nothing is lost)"));
            out.add(new Effect.Alert(new Notification("Relay cannot write its files", detail + ". The relay retries with a "
                    + "pause and loses nothing; free the disk or fix the permissions.", Notification.HIGH, List.of("warning"))));
        }
        return out;
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
