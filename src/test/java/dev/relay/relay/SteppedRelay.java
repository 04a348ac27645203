package dev.relay.relay;

import dev.relay.inbox.Inbox;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A relay loop on a temporary home, stepped on the test's thread with a manual clock that moves a little at each
 * step (the status is written at most every 200 ms of it), and the home's inbox as another process sees it.
 */
final class SteppedRelay implements AutoCloseable {
    final ManualClock clock;
    final LoopHarness relay;
    final RelayLoop loop;

    /** With {@code config} as config.yaml; {@code apiKey}: whether the coordinator's key is set. */
    SteppedRelay(Path dir, Instant start, String config, boolean apiKey) {
        this.clock = new ManualClock(start);
        LoopHarness h = new LoopHarness(dir, clock);
        this.relay = apiKey ? h : h.withoutApiKey();
        relay.config(config);
        this.loop = relay.build();
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

    @Override
    public void close() {
        relay.close();
    }
}
