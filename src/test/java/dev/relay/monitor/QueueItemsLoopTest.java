package dev.relay.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.state.ControlFiles;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancel and edit against a real relay loop: paused, changed, resumed. */
class QueueItemsLoopTest {
    @TempDir
    Path dir;

    LoopHarness relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private void pause() {
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.PAUSE);
        Await.until("paused", () -> relay.status() != null && "paused".equals(relay.status().state().wire()));
    }

    private String idOf(QueueItems items, Path file) {
        return items.list().stream().filter(i -> i.file().equals(file)).findFirst().orElseThrow().id();
    }

    @Test
    void a_cancelled_envelope_is_never_answered_and_the_other_is() {
        relay = new LoopHarness(dir, Clock.systemUTC()).start();
        pause();
        Path drop = relay.send("s1", "cancel me");
        Path keep = relay.send("s2", "answer me");
        QueueItems items = new QueueItems(relay.home, 1 << 20, Clock.systemUTC());
        String dropName = drop.getFileName().toString().replace(".json", "");
        // the relay records each envelope it sees as queued, paused or not: cancelled before it looked, there is no such step
        Await.until("the envelope seen as queued", () -> dev.relay.trail.Trail.of(
                new dev.relay.trail.Trail(relay.home.trailFile()).read(), dropName).stream().anyMatch(s -> s.step().equals("queued")));

        assertTrue(items.cancel(idOf(items, drop), "cli") instanceof QueueItems.Outcome.Done);
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.RESUME);

        assertEquals("reply to: [session s2] answer me", relay.take("s2"));
        Await.until("queue empty", () -> relay.queued() == 0);
        assertFalse(Files.exists(relay.home.inputFile(dev.relay.core.SessionId.of("s1"))));
        assertTrue(relay.journalLines().stream().noneMatch(l -> l.contains("cancel me")));
        assertTrue(Files.exists(items.cancelledDir().resolve(drop.getFileName())));
        assertFalse(Files.exists(keep));
        String dropId = drop.getFileName().toString().replace(".json", "");
        java.util.List<String> steps = dev.relay.trail.Trail.of(new dev.relay.trail.Trail(relay.home.trailFile()).read(), dropId)
                .stream().map(s -> s.step() + " by " + s.by()).toList();
        assertEquals(java.util.List.of("queued by s1", "cancelled by cli"), steps, "its trace ends cancelled");
    }

    @Test
    void an_edited_envelope_is_answered_with_its_new_text() {
        relay = new LoopHarness(dir, Clock.systemUTC()).start();
        pause();
        Path env = relay.send("s1", "first draft");
        QueueItems items = new QueueItems(relay.home, 1 << 20, Clock.systemUTC());

        assertTrue(items.edit(idOf(items, env), "final words", "cli") instanceof QueueItems.Outcome.Done);
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.RESUME);

        assertEquals("reply to: [session s1] final words", relay.take("s1"));
        assertTrue(relay.journalLines().stream().noneMatch(l -> l.contains("first draft")));
        String id = env.getFileName().toString().replace(".json", "");
        java.util.function.Supplier<java.util.List<String>> steps = () -> dev.relay.trail.Trail.of(
                new dev.relay.trail.Trail(relay.home.trailFile()).read(), id).stream().map(dev.relay.trail.Trail.Step::step).toList();
        Await.until("the reply's reading recorded", () -> steps.get().contains("read"));
        assertEquals(java.util.List.of("queued", "edited", "taken", "answered", "dispatched", "read"), steps.get());
    }

    @Test
    void an_envelope_in_a_turn_cannot_be_cancelled() {
        relay = new LoopHarness(dir, Clock.systemUTC()).start();
        java.util.concurrent.CountDownLatch tried = new java.util.concurrent.CountDownLatch(1);
        relay.coordinator.then(request -> {
            try {
                tried.await(10, java.util.concurrent.TimeUnit.SECONDS);   // the turn is in flight while we try
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return dev.relay.testing.ScriptedCoordinator.reply("late reply");
        });
        Path env = relay.send("s1", "slow one");
        QueueItems items = new QueueItems(relay.home, 1 << 20, Clock.systemUTC());
        Await.until("turn recorded", () -> relay.journalLines().stream().anyMatch(l -> l.contains("slow one")));

        QueueItems.Outcome outcome = items.cancel(idOf(items, env), "cli");
        tried.countDown();
        assertTrue(outcome instanceof QueueItems.Outcome.Refused r && r.reason().contains("coordinator turn"), outcome.toString());
        assertEquals("late reply", relay.take("s1"));
    }
}
