package dev.relay.dispatch;

import dev.relay.core.SessionId;

/** Where a session's replies go: a file the session reads, or (later) an agent's container. */
public interface DispatchTarget {
    /**
     * Hands over the oldest waiting reply of {@code entry.session()} if the session can take it now.
     * On success the outbox entry must be gone (moved or deleted) before this returns.
     *
     * @return true when it was taken, false when the session is busy
     */
    boolean deliver(Outbox.Entry entry);

    /**
     * Whether {@code session} is known, cheaply, to be unable to take a reply now (a file session whose last reply is
     * still unread): then its waiting replies are not even listed. False when it may take one.
     */
    default boolean busy(SessionId session) {
        return false;
    }
}
