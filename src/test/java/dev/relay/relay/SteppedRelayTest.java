package dev.relay.relay;

import dev.relay.inbox.Inbox;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests of a relay loop on a temporary home, stepped on the test's thread with a manual clock that moves a little at
 * each step (the status is written at most every 200 ms of it), and the home's inbox as another process sees it.
 */
abstract class SteppedRelayTest {
    @TempDir
    Path dir;

    ManualClock clock;
    LoopHarness relay;
    RelayLoop loop;

    /** Starts with {@code config} as config.yaml and the coordinator's key set. */
    void stepping(String config) {
        stepping(config, true);
    }

    void stepping(String config, boolean apiKey) {
        clock = new ManualClock(Instant.parse("2026-12-03T09:00:00Z"));
        LoopHarness h = new LoopHarness(dir, clock);
        relay = apiKey ? h : h.withoutApiKey();
        relay.config(config);
        loop = relay.build();
        loop.startStepping();
    }

    void steps(int n) {
        for (int i = 0; i < n; i++) {
            clock.advance(Duration.ofMillis(250));
            loop.stepOnce();
        }
    }

    Inbox inbox() {
        return new Inbox(relay.home.inboxFile(), clock);
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }
}
