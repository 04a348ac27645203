package dev.relay.conversation;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the coordinator conversation.
 *
 * @param speaker for a user turn, the session id of the agent or {@link #OPERATOR}; empty otherwise
 * @param key     the turn key of the work item (envelope or override) this turn belongs to; empty for summaries
 */
public record Turn(Role role, String speaker, String content, String key, Instant at, Usage usage) {
    public static final String OPERATOR = "operator";

    public enum Role { USER, ASSISTANT, SUMMARY }

    public Turn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(at, "at");
        speaker = speaker == null ? "" : speaker;
        key = key == null ? "" : key;
        usage = usage == null ? Usage.NONE : usage;
    }

    public static Turn user(String speaker, String content, String key, Instant at) {
        return new Turn(Role.USER, speaker, content, key, at, Usage.NONE);
    }

    public static Turn assistant(String content, String key, Instant at, Usage usage) {
        return new Turn(Role.ASSISTANT, "", content, key, at, usage);
    }

    public static Turn summary(String content, Instant at) {
        return new Turn(Role.SUMMARY, "", content, "", at, Usage.NONE);
    }

    public boolean fromOperator() {
        return role == Role.USER && OPERATOR.equals(speaker);
    }

    /** The text the coordinator sees for this turn. */
    public String promptText() {
        return switch (role) {
            case USER -> (fromOperator() ? "[operator JC] " : "[session " + speaker + "] ") + content;
            case ASSISTANT -> content;
            case SUMMARY -> "[summary of the earlier conversation]\n" + content;
        };
    }
}
