package dev.relay.queue;

import dev.relay.core.SessionId;
import java.util.Objects;
import java.util.Optional;

/** A validated report from an agent: who sent it, what it says, and its optional idempotency key. */
public record Envelope(SessionId session, String content, Optional<String> id) {
    public Envelope {
        Objects.requireNonNull(session, "session");
        if (content == null || content.isBlank()) {
            throw new IllegalArgumentException("content is empty");
        }
        id = id == null ? Optional.empty() : id;
    }
}
