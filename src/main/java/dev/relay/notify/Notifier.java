package dev.relay.notify;

/** Sends notifications; best effort, never blocks the caller. */
public interface Notifier extends AutoCloseable {
    void send(Notification notification);

    @Override
    default void close() {}

    Notifier NONE = n -> { };
}
