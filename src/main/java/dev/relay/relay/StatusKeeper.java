package dev.relay.relay;

import dev.relay.core.Home;
import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * status.json and the snapshot an in-process console reads, written when {@link StatusSchedule} says it is due. When
 * the file cannot be written, the snapshot is still current, and the write is tried again each second, not at once.
 */
final class StatusKeeper {
    private final StatusFile file;
    private final String name;
    private final StatusSchedule schedule = new StatusSchedule();
    private final AtomicReference<Status> snapshot = new AtomicReference<>();

    StatusKeeper(Home home) {
        this.file = new StatusFile(home.statusFile());
        this.name = home.root().relativize(home.statusFile()).toString();
    }

    /** The latest status, as written to status.json; null before the first. */
    Status snapshot() {
        return snapshot.get();
    }

    /** Something the status shows changed: written soon. */
    void changed() {
        schedule.changed();
    }

    /** The state changed: written at once. */
    void urgent() {
        schedule.urgent();
    }

    /** When a change is due to be written; empty when none waits. */
    Optional<Instant> wakeFor(Instant now) {
        return schedule.wakeFor(now);
    }

    /** Writes the status when it is due; a failure answers what failed, and the write is tried again a second later. */
    List<Effect> writeIfDue(Instant now, Supplier<StatusBuilder.Facts> facts) {
        if (!schedule.due(now)) {
            return List.of();
        }
        try {
            write(now, facts);
            return List.of();
        } catch (RuntimeException e) {
            schedule.failed(now);
            return List.of(new Effect.IoFailed("cannot write " + name, e));
        }
    }

    /** Writes the status now; throws when the file cannot be written (the snapshot is set first). */
    void write(Instant now, Supplier<StatusBuilder.Facts> facts) {
        Status status;
        try {
            status = StatusBuilder.build(facts.get());
        } finally {
            schedule.taken();
        }
        snapshot.set(status);
        file.write(status);
        schedule.written(now);
    }
}
