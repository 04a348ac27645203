package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.anthropic.CoordinatorException;
import dev.relay.state.ControlFiles;
import dev.relay.state.RelayState;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop stepped on the test's thread with a manual clock: retries, holds, pause and alerts with no real waiting. */
class SteppedLoopTest {
    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.now());
    LoopHarness relay;
    RelayLoop loop;

    void stepping(String config) {
        relay = new LoopHarness(dir, clock);
        relay.config(config);
        loop = relay.build();
        loop.startStepping();
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    int calls() {
        return relay.coordinator.requests.size();
    }

    void control(ControlFiles.Command command) {
        new ControlFiles(relay.home.controlDir()).submit(command);
    }

    long stuckAlerts() {
        return relay.open(Kind.STUCK_QUEUE).stream().mapToLong(Item::count).sum();
    }

    @Test
    void a_retryable_failure_is_called_again_after_exactly_the_policys_pause_and_not_before() {
        stepping("");
        RetryPolicy longest = new RetryPolicy(bound -> bound - 1);
        loop.useRetryPolicy(longest);
        Duration pause = longest.fullJitter(1, RetryPolicy.CAP);
        assertEquals(Duration.ofSeconds(2), pause, "the first retry's ceiling: 1 s doubled once");
        relay.coordinator.thenFail(529, true);
        relay.send("s1", "build is green");

        loop.stepOnce();
        assertEquals(1, calls());
        clock.advance(pause.minusMillis(1));
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(1, calls(), "no call before the pause is over");

        clock.advance(Duration.ofMillis(1));
        loop.stepOnce();
        assertEquals(2, calls());
        assertEquals("reply to: [session s1] build is green", relay.input("s1").orElseThrow());
    }

    @Test
    void the_wait_the_api_asks_for_is_kept_to_the_millisecond() {
        stepping("");
        relay.coordinator.then(r -> {
            throw new CoordinatorException(429, true, Optional.of(Duration.ofSeconds(7)), "rate_limit_error", "HTTP 429", null);
        });
        relay.send("s1", "report");

        loop.stepOnce();
        clock.advance(Duration.ofMillis(6_999));
        loop.stepOnce();
        assertEquals(1, calls());
        assertEquals(clock.instant().plusMillis(1).toString(), loop.snapshot().nextAttemptAt());

        clock.advance(Duration.ofMillis(1));
        loop.stepOnce();
        assertEquals(2, calls());
    }

    @Test
    void a_refused_call_holds_its_envelope_until_the_operator_resumes() {
        stepping("");
        relay.coordinator.thenFail(400, false);
        Path envelope = relay.send("s1", "a request the API refuses");

        loop.stepOnce();
        clock.advance(Duration.ofHours(1));
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(1, calls(), "a refusal is not retried by itself");
        assertTrue(Files.exists(envelope));
        assertEquals("error", loop.snapshot().state().wire());
        assertEquals("Relay stopped: API error", relay.open(Kind.RELAY_ERROR).get(0).title());

        control(ControlFiles.Command.RESUME);
        loop.stepOnce();
        assertEquals(2, calls());
        assertFalse(Files.exists(envelope));
        assertEquals("reply to: [session s1] a request the API refuses", relay.input("s1").orElseThrow());
    }

    @Test
    void pause_stops_intake_and_resume_restarts_it() {
        stepping("");
        control(ControlFiles.Command.PAUSE);
        loop.stepOnce();
        assertTrue(relay.events.contains(new RelayEvent.StateChanged(RelayState.PAUSED, "paused by the operator")));
        Path envelope = relay.send("s1", "while paused");

        loop.stepOnce();
        clock.advance(Duration.ofMinutes(10));
        loop.stepOnce();
        assertEquals(0, calls());
        assertTrue(Files.exists(envelope));
        assertEquals("paused", loop.snapshot().state().wire());
        assertEquals(1, loop.snapshot().queueDepth());

        control(ControlFiles.Command.RESUME);
        loop.stepOnce();
        assertEquals(1, calls());
        assertFalse(Files.exists(envelope));
        assertEquals("reply to: [session s1] while paused", relay.input("s1").orElseThrow());
    }

    @Test
    void a_stuck_queue_is_notified_once_per_threshold() {
        stepping("stuck_queue_threshold_s: 60\n");
        control(ControlFiles.Command.PAUSE);
        loop.stepOnce();
        relay.send("s1", "waiting while paused");

        clock.advance(Duration.ofSeconds(55));
        loop.stepOnce();
        assertEquals(0, stuckAlerts(), "younger than the threshold");

        clock.advance(Duration.ofSeconds(10));
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(1, stuckAlerts());

        clock.advance(Duration.ofSeconds(59));
        loop.stepOnce();
        assertEquals(1, stuckAlerts(), "at most once per threshold");

        clock.advance(Duration.ofSeconds(1));
        loop.stepOnce();
        assertEquals(2, stuckAlerts());
        assertEquals(1, relay.open(Kind.STUCK_QUEUE).size(), "one item, counted twice");

        control(ControlFiles.Command.RESUME);
        loop.stepOnce();
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(0, relay.queued());
        assertEquals(0, stuckAlerts(), "the queue drained: the item resolved itself");
        assertEquals("the queue moves again", relay.inbox().items().get(0).resolution().orElseThrow());
    }

    @Test
    void when_the_files_can_be_written_again_the_state_it_announces_is_the_one_it_is_in() {
        stepping("");
        AtomicBoolean full = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        loop.injectFaults((step, key) -> {
            if (step == TurnStep.REPLY_HELD && full.get()) {
                failures.incrementAndGet();
                throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
            }
        });
        relay.send("s1", "one");
        for (int i = 0; i < 10 && failures.get() < IoFaults.FAILURES_BEFORE_NOTICE; i++) {
            loop.stepOnce();
            clock.advance(Duration.ofMinutes(10));
        }
        assertEquals(IoFaults.FAILURES_BEFORE_NOTICE, failures.get());
        assertEquals("error", loop.snapshot().state().wire());

        full.set(false);
        loop.stepOnce();
        loop.stepOnce();
        assertEquals("running", loop.snapshot().state().wire());
        RelayEvent.StateChanged again = relay.events.stream()
                .filter(e -> e instanceof RelayEvent.StateChanged c && c.detail().equals("the relay writes its files again"))
                .map(e -> (RelayEvent.StateChanged) e).findFirst().orElseThrow();
        assertEquals(RelayState.RUNNING, again.state());
        assertEquals("reply to: [session s1] one", relay.input("s1").orElseThrow());
    }
}
