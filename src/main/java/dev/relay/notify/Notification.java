package dev.relay.notify;

import java.util.List;

/**
 * A phone notification.
 *
 * @param priority ntfy's 1 (min) to 5 (urgent)
 */
public record Notification(String title, String message, int priority, List<String> tags) {
    public static final int DEFAULT = 3;
    public static final int HIGH = 4;
    public static final int URGENT = 5;

    public Notification {
        tags = List.copyOf(tags);
        if (priority < 1 || priority > 5) {
            throw new IllegalArgumentException("priority must be 1 to 5");
        }
    }
}
