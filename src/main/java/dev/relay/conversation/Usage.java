package dev.relay.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Token counts of one API call as the Messages API reports them, and its cost; {@code unpriced} when the model had no
 * price (its cost is then unknown, not zero: it is counted apart and said so, never added in as $0).
 */
public record Usage(
        @JsonProperty("input_tokens") long inputTokens,
        @JsonProperty("output_tokens") long outputTokens,
        @JsonProperty("cache_creation_input_tokens") long cacheCreationTokens,
        @JsonProperty("cache_read_input_tokens") long cacheReadTokens,
        @JsonProperty("cache_creation_5m") long cacheCreation5m,
        @JsonProperty("cache_creation_1h") long cacheCreation1h,
        @JsonProperty("cost_usd") double costUsd,
        @JsonProperty("unpriced") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean unpriced) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0, 0);

    public Usage(long inputTokens, long outputTokens, long cacheCreationTokens, long cacheReadTokens, long cacheCreation5m,
                 long cacheCreation1h, double costUsd) {
        this(inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, cacheCreation5m, cacheCreation1h, costUsd, false);
    }

    public Usage plus(Usage o) {
        return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens,
                cacheCreationTokens + o.cacheCreationTokens, cacheReadTokens + o.cacheReadTokens,
                cacheCreation5m + o.cacheCreation5m, cacheCreation1h + o.cacheCreation1h, costUsd + o.costUsd,
                unpriced || o.unpriced);
    }

    /** Every input token of the request, cached or not. */
    public long promptTokens() {
        return inputTokens + cacheCreationTokens + cacheReadTokens;
    }

    public Usage withCost(double cost) {
        return new Usage(inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, cacheCreation5m, cacheCreation1h, cost,
                unpriced);
    }

    /** The same counts with no cost: the model had no price. */
    public Usage asUnpriced() {
        return new Usage(inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, cacheCreation5m, cacheCreation1h, 0, true);
    }
}
