package dev.relay.anthropic;

/** The usage object of a Messages API response. */
public record ApiUsage(long inputTokens, long outputTokens, long cacheCreationTokens, long cacheReadTokens,
                       long cacheCreation5m, long cacheCreation1h) {}
