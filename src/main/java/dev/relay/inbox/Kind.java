package dev.relay.inbox;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What an inbox item is about, and the actions it takes besides the ones every item takes (CONTRACT section 7). */
public enum Kind {
    NEEDS_JC(EnumSet.of(Action.RESUME, Action.ANSWER)),
    STUCK_QUEUE(EnumSet.noneOf(Action.class)),
    AGENT_FAILED(EnumSet.of(Action.RESTART)),
    RELAY_ERROR(EnumSet.of(Action.RESUME)),
    PERMISSION(EnumSet.of(Action.ALLOW, Action.ALLOW_SESSION, Action.DENY)),
    HELD_REPLY(EnumSet.of(Action.APPROVE, Action.REJECT, Action.ANSWER)),
    REPORT(EnumSet.of(Action.ANSWER)),
    BUDGET(EnumSet.of(Action.RAISE, Action.RESUME_ONCE));

    private static final Set<Action> EVERY_KIND = EnumSet.of(Action.ACK, Action.SNOOZE, Action.RESOLVE);

    private final Set<Action> own;

    Kind(Set<Action> own) {
        this.own = own;
    }

    /** Its actions, its own first, in a fixed order. */
    public Set<Action> actions() {
        Set<Action> all = EnumSet.copyOf(own);
        all.addAll(EVERY_KIND);
        return all;
    }

    public boolean takes(Action action) {
        return own.contains(action) || EVERY_KIND.contains(action);
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Kind> ofWire(String wire) {
        return Arrays.stream(values()).filter(k -> k.wire().equals(wire)).findFirst();
    }
}
