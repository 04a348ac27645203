package dev.relay.anthropic;

import java.util.List;

/**
 * One call to the coordinator model.
 *
 * @param historyTtl the cache lifetime of the rolling breakpoint at the end of the messages
 */
public record CoordinatorRequest(String model, int maxTokens, String system, List<Message> messages, CacheTtl historyTtl) {
    public CoordinatorRequest {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one message");
        }
    }

    public record Message(Role role, String text) {}

    public enum Role { USER, ASSISTANT }
}
