package dev.relay.relay;

import dev.relay.state.PauseFile;
import dev.relay.state.RelayState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pause state and its file, pause.json: a change is written at once, and when it cannot be, it holds in memory
 * and {@link #persist()} writes it again on the next steps.
 */
final class PauseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(PauseKeeper.class);

    private final PauseFile file;
    private PauseFile.Pause pause = PauseFile.Pause.RUNNING;
    private boolean dirty;

    PauseKeeper(PauseFile file) {
        this.file = file;
    }

    PauseFile.Pause pause() {
        return pause;
    }

    RelayState state() {
        return pause.state();
    }

    /** Starts in the state the relay was in when it stopped, if the file says one; a problem when it is unreadable. */
    List<Effect> load() {
        try {
            file.load().ifPresent(loaded -> pause = loaded);
        } catch (IOException e) {
            return List.of(new Effect.Problem(file.path() + " is unreadable (" + e.getMessage() + "); starting as running"));
        }
        if (pause.state() != RelayState.RUNNING) {
            LOG.info("starting {} as the relay was when it stopped", pause.state().wire());
        }
        return List.of();
    }

    /** Moves to {@code state} (nothing when the relay is in it already), written at once and told. */
    List<Effect> set(RelayState state, String why, Instant at) {
        if (pause.state() == state) {
            return List.of();
        }
        pause = pause.to(state, at);
        dirty = true;
        List<Effect> out = new ArrayList<>(List.of(new Effect.Urgent()));
        out.addAll(persist());
        LOG.info("state {}: {}", state.wire(), why);
        out.add(new Effect.Tell(new RelayEvent.StateChanged(state, why)));
        return out;
    }

    /** Remembers what the coordinator asked JC; written with the next change of state. */
    void askedForJc(Instant at, String text) {
        pause = pause.askedForJc(at, text);
    }

    /** Writes the state unless it is written already; a failure leaves it to be written again. */
    List<Effect> persist() {
        if (!dirty) {
            return List.of();
        }
        try {
            file.write(pause);
            dirty = false;
            return List.of();
        } catch (RuntimeException e) {
            return List.of(new Effect.IoFailed("cannot record the state " + pause.state().wire(), e));
        }
    }
}
