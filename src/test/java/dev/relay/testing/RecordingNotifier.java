package dev.relay.testing;

import dev.relay.notify.Notification;
import dev.relay.notify.Notifier;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

public final class RecordingNotifier implements Notifier {
    public final List<Notification> sent = new CopyOnWriteArrayList<>();

    @Override
    public void send(Notification notification) {
        sent.add(notification);
    }
}
