package dev.relay.anthropic;

import java.time.Duration;

/** How long the history's cache entry should live, or no history caching at all. */
public enum CacheTtl {
    NONE(Duration.ZERO), FIVE_MINUTES(Duration.ofMinutes(5)), ONE_HOUR(Duration.ofHours(1));

    private final Duration lifetime;

    CacheTtl(Duration lifetime) {
        this.lifetime = lifetime;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** The value of cache_control.ttl. */
    public String wire() {
        return this == ONE_HOUR ? "1h" : "5m";
    }
}
