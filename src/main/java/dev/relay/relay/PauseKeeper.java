package dev.relay.relay;

import dev.relay.state.PauseFile;
import dev.relay.state.RelayState;
import java.io.IOException;
import java.time.Instant;

/**
 * The pause state and its file, pause.json: a change is written at once, and when it cannot be, it holds in memory
 * and {@link #persist()} writes it again on the next steps.
 */
final class PauseKeeper {
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

    /** The state the relay was in when it stopped, if the file says one. */
    void load() throws IOException {
        file.load().ifPresent(loaded -> pause = loaded);
    }

    String path() {
        return file.path().toString();
    }

    /** Moves to {@code state}; false when the relay is in it already. Not yet written: {@link #persist()}. */
    boolean set(RelayState state, Instant at) {
        if (pause.state() == state) {
            return false;
        }
        pause = pause.to(state, at);
        dirty = true;
        return true;
    }

    /** Remembers what the coordinator asked JC; written with the next change of state. */
    void askedForJc(Instant at, String text) {
        pause = pause.askedForJc(at, text);
    }

    /** Writes the state unless it is written already; throws when it cannot be (it stays to be written). */
    void persist() {
        if (dirty) {
            file.write(pause);
            dirty = false;
        }
    }
}
