package dev.relay.state;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a container agent is in its life: {@link #wire()} is what state/agents.json says, {@link #words()} what
 * `relay agents` and the console show (rewording them changes no file and no colour).
 */
public enum AgentState {
    IDLE("idle", "idle"),
    WAITING("waiting", "waiting for a slot"),
    STARTING("starting", "starting"),
    RUNNING("running", "running"),
    CLOSING("closing", "closing"),
    BACKOFF("backoff", "backing off"),
    UNAVAILABLE("unavailable", "Docker unreachable");

    private final String wire;
    private final String words;

    AgentState(String wire, String words) {
        this.wire = wire;
        this.words = words;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public String words() {
        return words;
    }

    /** Whether an agent in this state takes one of the agents.max_concurrent slots. */
    public boolean holdsSlot() {
        return this == STARTING || this == RUNNING || this == CLOSING;
    }

    /** A state as agents.json has it: its wire value, or the words that relays before wire values wrote there. */
    @JsonCreator
    public static AgentState of(String value) {
        for (AgentState s : values()) {
            if (s.wire.equals(value) || s.words.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no agent state \"" + value + "\"");
    }
}
