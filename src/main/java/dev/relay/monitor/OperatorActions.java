package dev.relay.monitor;

import dev.relay.core.DirectMessage;
import dev.relay.core.SessionId;
import dev.relay.inbox.Inbox;
import dev.relay.trail.Trail;
import java.time.Duration;
import java.util.List;

/** What the operator can do to a relay, in its own process or attached: each acts within about a second. */
public interface OperatorActions {
    /** A message to the coordinator ahead of every envelope (or, starting with {@code @SESSION:}, to that session). */
    void override(String text);

    /**
     * As {@link #override(String)}, but an earlier override still waiting is waited for, up to {@code patience} (a
     * running relay takes one within a second); {@link Busy} if it still waits then.
     */
    default void override(String text, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                override(text);
                return;
            } catch (Busy e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** A follow-up message straight to one agent, without the coordinator. */
    default void sendTo(SessionId session, String text) {
        override(DirectMessage.format(session, text));
    }

    /** As {@link #sendTo(SessionId, String)}, waiting for an earlier override as {@link #override(String, Duration)}. */
    default void sendTo(SessionId session, String text, Duration patience) throws InterruptedException {
        override(DirectMessage.format(session, text), patience);
    }

    void pause();

    void resume();

    /**
     * An action on an inbox item ({@link Inbox#act}): the first of two actions on one item wins, from anywhere. Refused
     * by default, for actions with no home to act in.
     */
    default Inbox.Outcome act(Inbox.Request request) {
        return new Inbox.Outcome.Refused("the inbox cannot be changed from here");
    }

    /** The messages waiting to be taken ({@link QueueItems#list}); none by default, with no home to look in. */
    default List<QueueItems.Item> waiting() {
        return List.of();
    }

    /** Cancels a waiting message before it is taken ({@link QueueItems#cancel}); refused by default. */
    default QueueItems.Outcome cancelWaiting(String id) {
        return new QueueItems.Outcome.Refused("the queue cannot be changed from here");
    }

    /** Replaces a waiting message's text before it is taken ({@link QueueItems#edit}); refused by default. */
    default QueueItems.Outcome editWaiting(String id, String text) {
        return new QueueItems.Outcome.Refused("the queue cannot be changed from here");
    }

    /** The recorded steps of one message, by its file name without extension ({@link Trail#of}); none by default. */
    default List<Trail.Step> trace(String message) {
        return List.of();
    }

    /** Every recorded step of every message, oldest first ({@link Trail#read}); none by default. */
    default List<Trail.Step> trail() {
        return List.of();
    }

    /** Raised when the action cannot be taken now; the message says why and what to do. */
    class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** Refused because an earlier override has not been taken yet: the same may succeed a moment later. */
    final class Busy extends Refused {
        public Busy(String message) {
            super(message);
        }
    }
}
