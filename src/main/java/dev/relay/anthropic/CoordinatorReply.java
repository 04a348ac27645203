package dev.relay.anthropic;

/** The coordinator's answer with the usage the API reported (cost not yet computed). */
public record CoordinatorReply(String text, String stopReason, String model, String requestId, ApiUsage usage) {}
