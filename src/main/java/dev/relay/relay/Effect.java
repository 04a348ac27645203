package dev.relay.relay;

import dev.relay.conversation.Turn;
import dev.relay.notify.Notification;

/**
 * What a piece of the loop answers for the loop to do, in order. The pieces change their own state and log; the
 * loop alone tells its observers, notifies, finishes turns and keeps the status.
 */
sealed interface Effect {
    /** An event for the observers. */
    record Tell(RelayEvent event) implements Effect {}

    /** The last error the status shows; the state does not change. */
    record LastError(String message) implements Effect {}

    /** Something the operator should see: logged, shown as the last error and told. */
    record Problem(String message) implements Effect {}

    /** The relay is in error until this is over (a hold, an API failing in a row, its files failing): told at once. */
    record Stopped(String detail) implements Effect {}

    record Alert(Notification notification) implements Effect {}

    /** Something for the operator's inbox (and so the phone). */
    record Raise(dev.relay.inbox.Inbox.Raise raise) implements Effect {}

    /** The status is due at once. */
    record Urgent() implements Effect {}

    /** The relay's own file work failed: counted, paused and reported as such failures are. */
    record IoFailed(String what, RuntimeException cause) implements Effect {}

    /** A summary's own call was made and recorded: its cost is counted (on the day it was made). */
    record Summarized(dev.relay.conversation.Usage usage, java.time.Instant at) implements Effect {}

    /** The turn's reply is recorded: the loop finishes the turn. */
    record Answered(WorkItem item, Turn reply) implements Effect {}
}
