package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.core.SessionId;
import dev.relay.notify.Notification;
import dev.relay.state.Status;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Failures between the durable steps of a turn, while the relay runs (not only a crash): whatever fails, every reply
 * reaches its session exactly once, in order, after one coordinator call per turn; one session that cannot be
 * written to never stops the others.
 */
class TurnFaultTest {
    @TempDir
    Path dir;

    LoopHarness relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private static UncheckedIOException diskFull() {
        return new UncheckedIOException("cannot write", new IOException("No space left on device"));
    }

    @ParameterizedTest
    @EnumSource(TurnStep.class)
    void a_failure_before_any_step_loses_no_reply_sends_none_twice_and_calls_the_coordinator_once_a_turn(TurnStep failing) {
        failBefore(failing, 1, 3);
    }

    /** The same with batching on: s1's first report and s2's are one batched turn, s1's second its own. */
    @ParameterizedTest
    @EnumSource(TurnStep.class)
    void a_failure_before_any_step_of_a_batched_turn_loses_no_reply_and_sends_none_twice(TurnStep failing) {
        failBefore(failing, 8, 2);
    }

    private void failBefore(TurnStep failing, int maxEnvelopes, int turns) {
        AtomicInteger failuresLeft = new AtomicInteger(2);
        AtomicInteger failed = new AtomicInteger();
        relay = new LoopHarness(dir, Clock.systemUTC()).config("sessions:\n  - id: s1\n  - id: s2\n"
                        + "batch:\n  max_envelopes: " + maxEnvelopes + "\n  linger_ms: 0\n")
                .beforeStart(loop -> loop.injectFaults((step, key) -> {
                    if (step == failing && failuresLeft.getAndDecrement() > 0) {
                        failed.incrementAndGet();
                        throw diskFull();
                    }
                }));
        // all waiting before the start: the second turn's call is out while the first is being finished
        relay.send("s1", "one", "id-1");
        relay.send("s2", "two");
        relay.send("s1", "three", "id-3");
        relay.override("@s2: from JC");
        relay.start();

        List<String> s1 = new ArrayList<>(List.of(relay.take("s1"), relay.take("s1")));
        List<String> s2 = new ArrayList<>(List.of(relay.take("s2"), relay.take("s2")));

        assertEquals(List.of("reply to: [session s1] one", "reply to: [session s1] three"), s1);
        assertEquals(List.of("from JC", "reply to: [session s2] two"), s2);
        assertEquals(2, failed.get(), "the fault was injected twice before " + failing);
        Await.until("queue drained", () -> relay.queued() == 0);
        Await.until("nothing left in the outbox", () -> relay.status() != null && relay.status().repliesWaiting() == 0
                && relay.status().sessions().stream().noneMatch(Status.SessionStatus::inputPending));
        sleep(Duration.ofMillis(1500));   // anything sent twice would be here by now
        assertEquals(Optional.empty(), relay.input("s1"), "s1 got a reply twice");
        assertEquals(Optional.empty(), relay.input("s2"), "s2 got a reply twice");
        assertEquals(turns, relay.coordinator.requests.size(), "one coordinator call per turn");
        long assistantTurns = relay.journalLines().stream().filter(l -> l.contains("\"type\":\"assistant\"")).count();
        assertEquals(turns, assistantTurns);
        assertTrue(relay.events.stream().noneMatch(e -> e instanceof RelayEvent.EnvelopeRejected),
                "no envelope was rejected: " + relay.events);
        assertEquals(0, relay.status().rejectedCount());
        Await.until("the error cleared from the state", () -> "running".equals(relay.status().state().wire()));
    }

    @Test
    void a_disk_that_stays_full_is_retried_with_growing_pauses_and_said_once_in_the_status_and_a_notification() {
        AtomicInteger attempts = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean(true);
        relay = new LoopHarness(dir, Clock.systemUTC()).config("sessions:\n  - id: s1\n")
                .beforeStart(loop -> loop.injectFaults((step, key) -> {
                    if (step == TurnStep.REPLY_HELD && full.get()) {
                        attempts.incrementAndGet();
                        throw diskFull();
                    }
                }));
        relay.send("s1", "one");
        relay.start();

        Await.until("the relay says it cannot write", Duration.ofSeconds(15), () -> relay.status() != null
                && "error".equals(relay.status().state().wire()) && relay.status().stateDetail() != null
                && relay.status().stateDetail().contains("No space left on device"));
        int seen = attempts.get();
        sleep(Duration.ofSeconds(2));
        int inTwoSeconds = attempts.get() - seen;
        // growing pauses: by now (3 failures, 1.75 s of pauses) the next tries are 1 s, 2 s, 4 s apart, not a spin
        assertTrue(inTwoSeconds <= 3, "retried " + inTwoSeconds + " times in 2 s");
        assertEquals(1, relay.notifier.sent.stream().filter(n -> n.title().contains("cannot write")).count());
        assertEquals(1, relay.queued(), "the envelope waits");

        full.set(false);
        assertEquals("reply to: [session s1] one", relay.take("s1"));
        Await.until("running again", Duration.ofSeconds(40), () -> "running".equals(relay.status().state().wire()));
        assertEquals(1, relay.coordinator.requests.size(), "the reply was kept, not asked for again");
        assertTrue(relay.notifier.sent.stream().anyMatch(n -> n.title().contains("writes its files again")));
    }

    @Test
    void a_session_whose_directory_is_a_link_out_of_the_home_waits_while_the_others_and_the_operator_go_on() throws Exception {
        relay = new LoopHarness(dir.resolve("home"), Clock.systemUTC()).config("sessions:\n  - id: s1\n  - id: s2\n");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createDirectories(relay.home.dispatchRoot());
        Path link = relay.home.dispatchDir(SessionId.of("s1"));
        Files.createSymbolicLink(link, elsewhere);
        relay.send("s1", "one");
        relay.send("s2", "two");
        relay.start();

        assertEquals("reply to: [session s2] two", relay.take("s2"));
        relay.override("@s2: still here");
        assertEquals("still here", relay.take("s2"));
        relay.send("s2", "three");
        assertEquals("reply to: [session s2] three", relay.take("s2"));

        Await.until("s1 shown blocked", () -> blocked(relay.status(), "s1") != null);
        String cause = blocked(relay.status(), "s1");
        assertTrue(cause.contains("symbolic link") && cause.contains("dispatch/s1"), cause);
        assertTrue(cause.startsWith("refusing to write"), cause);   // as the console shows it: "blocked: refusing to write …"
        assertNull(blocked(relay.status(), "s2"));
        try (var files = Files.list(elsewhere)) {
            assertEquals(0, files.count(), "nothing was written through the link");
        }
        List<Notification> notes = relay.notifier.sent.stream().filter(n -> n.title().contains("s1 blocked")).toList();
        assertEquals(1, notes.size(), "one notification: " + relay.notifier.sent);
        assertTrue(relay.status().lastError().contains("session s1 blocked"), relay.status().lastError());

        Files.delete(link);
        Files.createDirectories(link);
        assertEquals("reply to: [session s1] one", relay.take("s1"));   // kept, and sent once the session can take it
        Await.until("s1 no longer blocked", () -> blocked(relay.status(), "s1") == null);
    }

    @Test
    void a_session_whose_hand_over_fails_is_blocked_with_the_cause_and_the_others_go_on() {
        relay = new LoopHarness(dir, Clock.systemUTC()).config("sessions:\n  - id: s1\n  - id: s2\n");
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.relay.dispatch.FileDispatchTarget files = new dev.relay.dispatch.FileDispatchTarget(relay.home);
        relay.withTargets(s -> s.value().equals("s1") ? Optional.of(entry -> {
            if (broken.get()) {
                throw new UncheckedIOException("cannot move " + entry.file() + " to dispatch/s1/input.txt",
                        new java.nio.file.AccessDeniedException(entry.file().toString()));
            }
            return files.deliver(entry);
        }) : Optional.empty());
        relay.send("s1", "one");
        relay.send("s1", "two");
        relay.send("s2", "three");
        relay.start();

        assertEquals("reply to: [session s2] three", relay.take("s2"));
        Await.until("s1 blocked", () -> "Permission denied".equals(blocked(relay.status(), "s1")));
        Await.until("both s1 replies wait", () -> relay.status().sessions().stream()
                .anyMatch(s -> s.id().equals("s1") && s.repliesWaiting() == 2));
        broken.set(false);
        assertEquals("reply to: [session s1] one", relay.take("s1"));
        assertEquals("reply to: [session s1] two", relay.take("s1"));
    }

    private static String blocked(Status status, String session) {
        if (status == null) {
            return null;
        }
        return status.sessions().stream().filter(s -> s.id().equals(session)).findFirst().map(Status.SessionStatus::blocked)
                .orElse(null);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
