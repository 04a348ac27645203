package dev.relay.relay;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * Logs a failure that repeats once, then a count at most once a minute, and one line when it clears: a full disk
 * must not write thousands of identical stack traces a second into the journal it is filling.
 */
final class RepeatedWarning {
    private static final Duration SUMMARY_EVERY = Duration.ofMinutes(1);

    private final Logger log;
    private String last;
    private int repeats;
    private int total;
    private Instant since;
    private Instant lastSummary;

    RepeatedWarning(Logger log) {
        this.log = log;
    }

    /** Logs {@code message} unless it is the one logged last, which is counted instead. */
    void warn(String message, Throwable cause, Instant now) {
        if (message.equals(last)) {
            repeats++;
            total++;
            if (Duration.between(lastSummary, now).compareTo(SUMMARY_EVERY) >= 0) {
                log.warn("{} (again {} time{} in the last {} s)", message, repeats, repeats == 1 ? "" : "s",
                        Duration.between(lastSummary, now).toSeconds());
                repeats = 0;
                lastSummary = now;
            }
            return;
        }
        flush(now);
        last = message;
        repeats = 0;
        total = 1;
        since = now;
        lastSummary = now;
        if (cause instanceof java.io.UncheckedIOException || cause instanceof java.io.IOException) {
            log.warn(message);
            log.debug("the failure", cause);
        } else {
            log.error(message, cause);   // not a file system's refusal: a bug, whose stack trace is wanted once
        }
    }

    /** The failure is over: says so, with how often it happened. */
    void cleared(String what, Instant now) {
        if (last == null) {
            return;
        }
        flush(now);
        log.info("{} again, after {} failure{} in {} s", what, total, total == 1 ? "" : "s",
                Duration.between(since, now).toSeconds());
        last = null;
    }

    boolean active() {
        return last != null;
    }

    private void flush(Instant now) {
        if (last != null && repeats > 0) {
            log.warn("{} (again {} time{} in the last {} s)", last, repeats, repeats == 1 ? "" : "s",
                    Duration.between(lastSummary, now).toSeconds());
            repeats = 0;
        }
    }
}
