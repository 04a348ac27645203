package dev.relay.monitor;

import dev.relay.core.SessionId;

/** What the operator can do to a relay, in its own process or attached: each acts within about a second. */
public interface OperatorActions {
    /** A message to the coordinator ahead of every envelope (or, starting with {@code @SESSION:}, to that session). */
    void override(String text);

    /** A follow-up message straight to one agent, without the coordinator. */
    default void sendTo(SessionId session, String text) {
        override("@" + session.value() + ": " + text);
    }

    void pause();

    void resume();

    /** Raised when the action cannot be taken now; the message says why and what to do. */
    final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }
}
