package dev.relay.anthropic;

import java.util.List;

/**
 * One call to the coordinator model.
 *
 * @param historyTtl the cache lifetime of the rolling breakpoint at the end of the messages
 * @param tools      whether the reply tool is offered, and whether the model must use it
 */
public record CoordinatorRequest(String model, int maxTokens, String system, List<Message> messages, CacheTtl historyTtl,
                                 Tools tools) {
    /** The name of the tool a batched turn answers through: one call per session. */
    public static final String REPLY_TOOL = "reply_to_session";

    public CoordinatorRequest {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one message");
        }
        tools = tools == null ? Tools.OFF : tools;
    }

    public CoordinatorRequest(String model, int maxTokens, String system, List<Message> messages, CacheTtl historyTtl) {
        this(model, maxTokens, system, messages, historyTtl, Tools.OFF);
    }

    /**
     * The reply tool in a request. It is offered on every reply request once batching is on (a change of the tools
     * would invalidate the whole prompt cache); only {@code tool_choice} differs between a single report and a batch.
     */
    public enum Tools {
        /** No tools: a plain-text turn, as before batching. */
        OFF,
        /** The reply tool is offered, but not to be used ({@code tool_choice: none}): a plain-text turn. */
        OFFERED,
        /** The model must answer through the reply tool ({@code tool_choice} names it): a batched turn. */
        REQUIRED
    }

    /**
     * One message. An assistant message may carry the reply tool's calls; the user message after it carries their
     * results, first, as the API requires.
     */
    public record Message(Role role, String text, List<ToolCall> calls, List<ToolResult> results) {
        public Message {
            calls = calls == null ? List.of() : List.copyOf(calls);
            results = results == null ? List.of() : List.copyOf(results);
        }

        public Message(Role role, String text) {
            this(role, text, List.of(), List.of());
        }
    }

    public enum Role { USER, ASSISTANT }

    /** A call of the reply tool: the session it answers and the text. */
    public record ToolCall(String id, String session, String text) {}

    /** What the relay answers a tool call with, in the next user message. */
    public record ToolResult(String toolUseId, String content) {}
}
