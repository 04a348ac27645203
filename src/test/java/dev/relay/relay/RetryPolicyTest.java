package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    final List<Long> bounds = new ArrayList<>();
    /** Draws the largest number allowed and remembers the bound it was given. */
    final RetryPolicy policy = new RetryPolicy(bound -> {
        bounds.add(bound);
        return bound - 1;
    });

    RetryPolicy.Decision fail(Retry before) {
        return policy.afterFailure(before, true, Optional.empty(), "HTTP 529", NOW);
    }

    @Test
    void full_jitter_draws_up_to_a_doubling_ceiling_within_the_cap() {
        assertEquals(Duration.ofMillis(2_000), policy.fullJitter(1, RetryPolicy.CAP));
        assertEquals(Duration.ofMillis(32_000), policy.fullJitter(5, RetryPolicy.CAP));
        assertEquals(Duration.ofSeconds(60), policy.fullJitter(10, RetryPolicy.CAP));
        assertEquals(Duration.ofMinutes(5), policy.fullJitter(30, RetryPolicy.BACKOFF_CAP));
        assertEquals(List.of(2_001L, 32_001L, 60_001L, 300_001L), bounds, "zero to the ceiling, both included");
    }

    @Test
    void a_retryable_failure_counts_and_is_tried_again_after_the_jittered_pause() {
        RetryPolicy.Decision d = fail(Retry.NONE);
        assertEquals(1, d.next().attempts());
        assertEquals(1, d.next().consecutiveFailures());
        assertEquals(NOW.plusSeconds(2), d.next().nextAttemptAt());
        assertEquals("retrying in 2 s", d.next().detail());
        assertFalse(d.refused());
        assertFalse(d.backingOff());
        assertFalse(d.next().due(NOW.plusMillis(1_999)));
        assertTrue(d.next().due(NOW.plusSeconds(2)));
    }

    @Test
    void the_third_failure_in_a_row_backs_off_with_the_higher_cap_and_says_so_once() {
        Retry r = Retry.NONE;
        r = fail(r).next();
        r = fail(r).next().newTurn();   // failures in a row count across turns, attempts per turn
        RetryPolicy.Decision third = fail(r);
        assertTrue(third.backingOff());
        assertTrue(third.startsBackoff());
        assertEquals(3, third.next().consecutiveFailures());
        assertEquals(1, third.next().attempts());
        RetryPolicy.Decision fourth = fail(third.next());
        assertTrue(fourth.backingOff());
        assertFalse(fourth.startsBackoff());
        assertEquals(List.of(2_001L, 4_001L, 2_001L, 4_001L), bounds);

        Retry deep = new Retry(12, 2, Instant.MIN, null, Optional.empty());
        bounds.clear();
        fail(deep);
        assertEquals(List.of(300_001L), bounds, "backing off, the cap is five minutes");
    }

    @Test
    void the_wait_the_api_asks_for_is_kept_exactly_and_a_long_one_is_called_deferred() {
        RetryPolicy.Decision d = policy.afterFailure(Retry.NONE, true, Optional.of(Duration.ofSeconds(7)), "HTTP 429", NOW);
        assertEquals(NOW.plusSeconds(7), d.next().nextAttemptAt());
        assertEquals("retrying in 7 s as the API asked", d.next().detail());
        assertTrue(bounds.isEmpty(), "no jitter on a wait the API asked for");

        RetryPolicy.Decision longer = policy.afterFailure(Retry.NONE, true, Optional.of(Duration.ofSeconds(120)), "HTTP 429", NOW);
        assertEquals(NOW.plusSeconds(120), longer.next().nextAttemptAt());
        assertEquals("deferred: the API asked to wait 120 s", longer.next().detail());
    }

    @Test
    void a_refusal_holds_without_counting_until_resumed() {
        Retry before = fail(Retry.NONE).next();
        RetryPolicy.Decision d = policy.afterFailure(before, false, Optional.empty(), "HTTP 400 bad request", NOW);
        assertTrue(d.refused());
        assertTrue(d.next().heldFor(Retry.Hold.Kind.REFUSED));
        assertEquals("HTTP 400 bad request", d.next().hold().orElseThrow().reason());
        assertEquals(before.attempts(), d.next().attempts());
        assertEquals(before.nextAttemptAt(), d.next().nextAttemptAt());
        assertFalse(d.next().due(NOW.plus(Duration.ofDays(1))), "held: never due by itself");

        Retry resumed = d.next().resumed();
        assertFalse(resumed.held());
        assertEquals(0, resumed.consecutiveFailures());
        assertTrue(resumed.due(NOW));
    }

    @Test
    void file_failures_and_blocked_sessions_pause_doubling_to_their_caps() {
        assertEquals(Duration.ofMillis(250), RetryPolicy.ioPause(1));
        assertEquals(Duration.ofMillis(500), RetryPolicy.ioPause(2));
        assertEquals(Duration.ofSeconds(8), RetryPolicy.ioPause(6));
        assertEquals(Duration.ofSeconds(10), RetryPolicy.ioPause(7));
        assertEquals(Duration.ofSeconds(10), RetryPolicy.ioPause(1_000));
        assertEquals(Duration.ofSeconds(1), RetryPolicy.sessionPause(1));
        assertEquals(Duration.ofSeconds(32), RetryPolicy.sessionPause(6));
        assertEquals(Duration.ofSeconds(60), RetryPolicy.sessionPause(7));
        assertEquals(Duration.ofSeconds(60), RetryPolicy.sessionPause(1_000));
    }
}
