package dev.relay.inbox;

import java.util.Locale;

/** Where an action on an item came from. */
public enum Source {
    CONSOLE, CLI, PHONE, RELAY;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "from the phone", for receipts and the item's history. */
    public String from() {
        return switch (this) {
            case CONSOLE -> "from the console";
            case CLI -> "from the command line";
            case PHONE -> "from the phone";
            case RELAY -> "by the relay";
        };
    }
}
