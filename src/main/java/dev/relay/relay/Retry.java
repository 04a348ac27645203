package dev.relay.relay;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the retry of the open turn stands: its attempts, the failures in a row (across turns), when the next
 * attempt is due, the detail the status shows, and a hold that only the operator (or a key) lifts.
 */
record Retry(int attempts, int consecutiveFailures, Instant nextAttemptAt, String detail, Optional<Hold> hold) {
    static final Retry NONE = new Retry(0, 0, Instant.MIN, null, Optional.empty());

    Retry {
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        Objects.requireNonNull(hold, "hold");
    }

    /** Why no call is made until the operator resumes (or, without an API key, until a key is found). */
    record Hold(Kind kind, String reason) {
        enum Kind { NO_API_KEY, REFUSED }

        Hold {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(reason, "reason");
        }
    }

    boolean held() {
        return hold.isPresent();
    }

    boolean heldFor(Hold.Kind kind) {
        return hold.isPresent() && hold.get().kind() == kind;
    }

    /** True when a call may be made at {@code now}: not held and no retry pause running. */
    boolean due(Instant now) {
        return hold.isEmpty() && !nextAttemptAt.isAfter(now);
    }

    boolean waiting(Instant now) {
        return nextAttemptAt.isAfter(now);
    }

    Retry newTurn() {
        return new Retry(0, consecutiveFailures, nextAttemptAt, detail, hold);
    }

    Retry succeeded() {
        return new Retry(attempts, 0, nextAttemptAt, null, hold);
    }

    Retry held(Hold h) {
        return new Retry(attempts, consecutiveFailures, nextAttemptAt, detail, Optional.of(h));
    }

    Retry unheld() {
        return new Retry(attempts, consecutiveFailures, nextAttemptAt, detail, Optional.empty());
    }

    /** The operator resumed: no hold, no pause, the failure count starts again. */
    Retry resumed() {
        return new Retry(attempts, 0, Instant.MIN, null, Optional.empty());
    }
}
