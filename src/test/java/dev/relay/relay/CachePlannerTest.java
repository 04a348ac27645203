package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.anthropic.ApiUsage;
import dev.relay.anthropic.CacheTtl;
import dev.relay.config.Price;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CachePlannerTest {
    static final Price SONNET = new Price(3, 15, 3.75, 6, 0.30);

    static CachePlanner withGaps(Duration gap, int n) {
        CachePlanner p = new CachePlanner();
        Instant t = Instant.parse("2026-11-23T00:00:00Z");
        for (int i = 0; i <= n; i++) {
            p.recordCall(t);
            t = t.plus(gap);
        }
        return p;
    }

    @Test
    void turns_minutes_apart_use_the_five_minute_cache() {
        assertEquals(CacheTtl.FIVE_MINUTES, withGaps(Duration.ofMinutes(2), 10).choose(SONNET, 100_000, 1_000));
    }

    @Test
    void turns_twenty_minutes_apart_use_the_one_hour_cache() {
        assertEquals(CacheTtl.ONE_HOUR, withGaps(Duration.ofMinutes(20), 10).choose(SONNET, 100_000, 1_000));
    }

    @Test
    void turns_hours_apart_are_not_cached_since_every_write_would_expire_unread() {
        assertEquals(CacheTtl.NONE, withGaps(Duration.ofHours(3), 10).choose(SONNET, 100_000, 1_000));
    }

    @Test
    void the_first_turn_uses_the_five_minute_cache() {
        assertEquals(CacheTtl.FIVE_MINUTES, new CachePlanner().choose(SONNET, 0, 1_000));
    }

    @Test
    void cost_prices_each_kind_of_token_at_its_own_rate() {
        ApiUsage u = new ApiUsage(1_000_000, 1_000_000, 3_000_000, 1_000_000, 1_000_000, 2_000_000);
        assertEquals(3 + 15 + 3.75 + 12 + 0.30, CachePlanner.cost(u, SONNET), 1e-9);
    }
}
