package dev.relay.state;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** The relay's state, as status.json and pause.json name it (CONTRACT section 5); how a UI shows it is the UI's. */
public enum RelayState {
    RUNNING("running"), PAUSED("paused"), NEEDS_JC("needs_jc"), ERROR("error");

    private final String wire;

    RelayState(String wire) {
        this.wire = wire;
    }

    /** The word in the relay's files. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The state a file's word names; empty when it names none. */
    public static Optional<RelayState> ofWire(String word) {
        for (RelayState s : values()) {
            if (s.wire.equals(word)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** A word this version does not know (a newer relay's, say) reads as no known state: null, shown as "unknown". */
    @JsonCreator
    static RelayState fromJson(String word) {
        return ofWire(word).orElse(null);
    }
}
