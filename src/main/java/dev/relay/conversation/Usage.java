package dev.relay.conversation;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Token counts of one API call as the Messages API reports them, and its cost. */
public record Usage(
        @JsonProperty("input_tokens") long inputTokens,
        @JsonProperty("output_tokens") long outputTokens,
        @JsonProperty("cache_creation_input_tokens") long cacheCreationTokens,
        @JsonProperty("cache_read_input_tokens") long cacheReadTokens,
        @JsonProperty("cache_creation_5m") long cacheCreation5m,
        @JsonProperty("cache_creation_1h") long cacheCreation1h,
        @JsonProperty("cost_usd") double costUsd) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0, 0);

    public Usage plus(Usage o) {
        return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens,
                cacheCreationTokens + o.cacheCreationTokens, cacheReadTokens + o.cacheReadTokens,
                cacheCreation5m + o.cacheCreation5m, cacheCreation1h + o.cacheCreation1h, costUsd + o.costUsd);
    }

    /** Every input token of the request, cached or not. */
    public long promptTokens() {
        return inputTokens + cacheCreationTokens + cacheReadTokens;
    }

    public Usage withCost(double cost) {
        return new Usage(inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, cacheCreation5m, cacheCreation1h, cost);
    }
}
