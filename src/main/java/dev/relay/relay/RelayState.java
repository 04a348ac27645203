package dev.relay.relay;

import java.util.Locale;

/** The relay's state as status.json and the console show it. */
public enum RelayState {
    RUNNING, PAUSED, NEEDS_JC, ERROR;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
