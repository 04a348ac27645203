package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StuckQueueTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration THRESHOLD = Duration.ofSeconds(60);

    @Test
    void alerts_once_the_oldest_is_older_than_the_threshold_then_at_most_once_per_threshold() {
        StuckQueue stuck = new StuckQueue();
        assertTrue(stuck.check("a.json", T0, 2, THRESHOLD, T0.plusSeconds(60), "paused", null).isEmpty(), "not older yet");
        assertEquals(Optional.of("2 envelopes waiting; the oldest (a.json) for 1 min. State: paused; last error: x"),
                stuck.check("a.json", T0, 2, THRESHOLD, T0.plusSeconds(61), "paused", "x"));
        assertTrue(stuck.check("a.json", T0, 2, THRESHOLD, T0.plusSeconds(120), "paused", null).isEmpty());
        assertEquals(Optional.of("1 envelope waiting; the oldest (a.json) for 2 min. State: running"),
                stuck.check("a.json", T0, 1, THRESHOLD, T0.plusSeconds(121), "running", null));
    }
}
