package dev.relay.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.state.Status;
import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusWatchTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
    private long writes;

    /** Writes status.json with a modification time of its own, so that every write is seen however quick. */
    private void write(Path file, long pid, String state, Instant heartbeat) throws Exception {
        Files.writeString(file, "{\"pid\":" + pid + ",\"started_at\":\"2026-11-23T09:00:00Z\",\"heartbeat_at\":\""
                + heartbeat + "\",\"state\":\"" + state + "\",\"sessions\":[]}");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(++writes)));
    }

    @Test
    void a_relay_is_live_while_its_process_runs_and_its_heartbeat_is_fresh() throws Exception {
        Path file = dir.resolve("status.json");
        StatusWatch watch = new StatusWatch(file);
        assertFalse(watch.poll(clock.instant()), "no file, no relay: nothing changed");
        assertFalse(watch.live());

        write(file, ProcessHandle.current().pid(), "running", clock.instant());
        assertTrue(watch.poll(clock.instant()));
        assertTrue(watch.live());
        assertEquals("running", watch.status().map(Status::state).orElseThrow().wire());

        clock.advance(Duration.ofSeconds(6));
        assertTrue(watch.poll(clock.instant()), "the heartbeat went stale");
        assertFalse(watch.live());
        assertTrue(watch.status().isPresent(), "the last status is still shown");
    }

    @Test
    void a_new_heartbeat_alone_is_no_change_but_keeps_the_relay_live() throws Exception {
        Path file = dir.resolve("status.json");
        StatusWatch watch = new StatusWatch(file);
        long pid = ProcessHandle.current().pid();
        write(file, pid, "running", clock.instant());
        assertTrue(watch.poll(clock.instant()));

        clock.advance(Duration.ofSeconds(4));
        write(file, pid, "running", clock.instant());
        assertFalse(watch.poll(clock.instant()), "only the heartbeat moved");
        clock.advance(Duration.ofSeconds(4));
        assertFalse(watch.poll(clock.instant()), "8 s after the first beat, 4 s after the second: still live");
        assertTrue(watch.live());

        write(file, pid, "paused", clock.instant());
        assertTrue(watch.poll(clock.instant()));
        assertEquals("paused", watch.status().orElseThrow().state().wire());
    }

    @Test
    void a_status_left_by_a_process_that_ended_is_not_live() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path file = dir.resolve("status.json");
        write(file, gone.pid(), "running", clock.instant());
        StatusWatch watch = new StatusWatch(file);
        assertTrue(watch.poll(clock.instant()));
        assertFalse(watch.live());

        Files.delete(file);
        assertTrue(watch.poll(clock.instant()), "the status went away");
        assertTrue(watch.status().isEmpty());
    }
}
