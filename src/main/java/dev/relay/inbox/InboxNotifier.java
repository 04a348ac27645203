package dev.relay.inbox;

import dev.relay.notify.Notification;
import dev.relay.notify.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications through the inbox: each is kept in {@code state/inbox.json} until the phone's pusher has it taken by
 * ntfy (retried with backoff while ntfy is down), so none is dropped because ntfy was busy at that moment.
 */
public final class InboxNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(InboxNotifier.class);

    private final Inbox inbox;
    private final Runnable kept;

    /** {@code kept} runs after a notification is kept (the pusher wakes to send it). */
    public InboxNotifier(Inbox inbox, Runnable kept) {
        this.inbox = inbox;
        this.kept = kept;
    }

    @Override
    public void send(Notification n) {
        try {
            inbox.note(new Inbox.NoteText(n.title(), n.message(), n.priority(), n.tags()));
            kept.run();
        } catch (RuntimeException e) {
            LOG.warn("cannot keep the notification \"{}\" in {}: {}", n.title(), inbox.file(), e.getMessage());
        }
    }
}
