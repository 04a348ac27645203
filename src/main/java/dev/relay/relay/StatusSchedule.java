package dev.relay.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When status.json is written: each second (the heartbeat), soon after a change (not more than five times a second),
 * at once after an urgent one; a write that failed is tried again a second later, not at once. Pure, on the times given.
 */
final class StatusSchedule {
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    static final Duration MIN_INTERVAL = Duration.ofMillis(200);

    private enum Change { NONE, CHANGED, URGENT }

    private Change change = Change.CHANGED;
    private Instant lastWrite = Instant.MIN;
    private Instant nextAttempt = Instant.MIN;

    /** Something the status shows changed: written soon. */
    void changed() {
        if (change == Change.NONE) {
            change = Change.CHANGED;
        }
    }

    /** The state changed: written at once. */
    void urgent() {
        change = Change.URGENT;
    }

    boolean due(Instant now) {
        if (now.isBefore(nextAttempt)) {
            return false;
        }
        boolean heartbeat = Duration.between(lastWrite, now).compareTo(HEARTBEAT) >= 0;
        boolean changed = change == Change.CHANGED && Duration.between(lastWrite, now).compareTo(MIN_INTERVAL) >= 0;
        return heartbeat || changed || change == Change.URGENT;
    }

    /** The status is being made: what changed until now is in it. */
    void taken() {
        change = Change.NONE;
    }

    void written(Instant now) {
        lastWrite = now;
        nextAttempt = Instant.MIN;
    }

    void failed(Instant now) {
        nextAttempt = now.plus(HEARTBEAT);
    }

    /** When a change is due to be written; empty when none waits (the heartbeat is the loop's own wake). */
    Optional<Instant> wakeFor(Instant now) {
        if (change == Change.NONE) {
            return Optional.empty();
        }
        Instant due = change == Change.URGENT ? now : lastWrite.plus(MIN_INTERVAL);
        return Optional.of(due.isBefore(nextAttempt) ? nextAttempt : due);
    }
}
