package dev.relay.inbox;

import java.util.Locale;

/** How urgent an item is: its order in the inbox and its first push's ntfy priority. */
public enum Severity {
    URGENT(5), HIGH(4), NORMAL(3);

    private final int priority;

    Severity(int priority) {
        this.priority = priority;
    }

    /** ntfy's priority for its first push; each re-notification is one higher, up to 5. */
    public int priority() {
        return priority;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
