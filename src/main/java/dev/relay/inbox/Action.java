package dev.relay.inbox;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What the operator can do to an item; the wire names are the contract's (section 7). */
public enum Action {
    RESUME("Resume", "Resumed"),
    ANSWER("Answer", "Answered"),
    RESTART("Restart", "Restart asked"),
    ALLOW("Allow", "Allowed"),
    ALLOW_SESSION("Allow for session", "Allowed for the session"),
    DENY("Deny", "Denied"),
    APPROVE("Approve", "Approved"),
    REJECT("Reject", "Rejected"),
    RAISE("Raise today's limit", "Limit raised"),
    RESUME_ONCE("Resume once", "Resumed once"),
    ACK("Acknowledge", "Acknowledged"),
    SNOOZE("Snooze", "Snoozed"),
    RESOLVE("Resolve", "Resolved");

    private final String label;
    private final String done;

    Action(String label, String done) {
        this.label = label;
        this.done = done;
    }

    /** A button's label. */
    public String label() {
        return label;
    }

    /** What a receipt says was done: "Resumed". */
    public String done() {
        return done;
    }

    /**
     * Whether it closes the item: it is then no longer open to any other action. A restart does not: the item stays
     * (acknowledged) until the agent works again.
     */
    public boolean resolves() {
        return this != ACK && this != SNOOZE && this != RESTART;
    }

    /** Whether it needs text: an answer does (a rejection's note is optional). */
    public boolean needsText() {
        return this == ANSWER;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Action> ofWire(String wire) {
        return Arrays.stream(values()).filter(a -> a.wire().equals(wire)).findFirst();
    }
}
