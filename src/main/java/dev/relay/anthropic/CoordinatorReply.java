package dev.relay.anthropic;

import java.util.List;

/**
 * The coordinator's answer with the usage the API reported (cost not yet computed).
 *
 * @param text   the text blocks, joined
 * @param calls  the reply tool's calls, in order (empty for a plain-text answer)
 */
public record CoordinatorReply(String text, String stopReason, String model, String requestId, ApiUsage usage,
                               List<CoordinatorRequest.ToolCall> calls) {
    public CoordinatorReply {
        calls = calls == null ? List.of() : List.copyOf(calls);
    }

    public CoordinatorReply(String text, String stopReason, String model, String requestId, ApiUsage usage) {
        this(text, stopReason, model, requestId, usage, List.of());
    }
}
