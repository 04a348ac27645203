package dev.relay.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** US dollars per million tokens for one model. */
public record Price(
        @JsonProperty("input") double input,
        @JsonProperty("output") double output,
        @JsonProperty("cache_write_5m") double cacheWrite5m,
        @JsonProperty("cache_write_1h") double cacheWrite1h,
        @JsonProperty("cache_read") double cacheRead) {

    public Price {
        for (double d : new double[] {input, output, cacheWrite5m, cacheWrite1h, cacheRead}) {
            if (d < 0 || Double.isNaN(d)) {
                throw new IllegalArgumentException("prices must be zero or more dollars per million tokens");
            }
        }
    }
}
