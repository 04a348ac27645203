package dev.relay.relay;

import dev.relay.conversation.Turn;
import dev.relay.core.SessionId;
import dev.relay.notify.Notification;
import dev.relay.queue.Rejection;
import dev.relay.state.RelayState;

/** What the loop tells its observers (the console, the daemon's log). Listeners must not block. */
public sealed interface RelayEvent {
    record TurnRecorded(Turn turn) implements RelayEvent {}
    record HistorySummarized(int turnsReplaced, long charsBefore, long charsAfter) implements RelayEvent {}
    record EnvelopeRejected(Rejection rejection) implements RelayEvent {}
    record ReplyQueued(SessionId session, boolean direct) implements RelayEvent {}
    record ReplyDelivered(SessionId session) implements RelayEvent {}
    record StateChanged(RelayState state, String detail) implements RelayEvent {}
    record Problem(String message) implements RelayEvent {}
    record Notified(Notification notification) implements RelayEvent {}

    /** An item is in the operator's inbox (new, or counted again). */
    record Raised(dev.relay.inbox.Item item) implements RelayEvent {}
}
