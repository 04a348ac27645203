package dev.relay.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.Outbox;
import dev.relay.queue.EnvelopeWriter;
import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HomeMonitorTest {
    @TempDir
    Path dir;

    @Test
    void shows_queued_held_and_rejected_items_and_publishes_only_on_change() throws Exception {
        Home home = new Home(dir);
        ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
        HomeMonitor monitor = new HomeMonitor(home, List.of("s1"), 1 << 20, clock, Duration.ofMillis(50));
        assertTrue(monitor.poll());
        assertFalse(monitor.poll(), "nothing changed");

        EnvelopeWriter.write(home.queueDir(), SessionId.of("s2"), "hello   from\n s2", Optional.empty());
        Files.writeString(home.queueDir().resolve("bad.json"), "[1]");
        Outbox outbox = new Outbox(home.outboxRoot(), clock);
        outbox.enqueue(SessionId.of("s1"), "k1", "first reply");
        Files.createDirectories(home.dispatchDir(SessionId.of("s1")));
        Files.writeString(home.inputFile(SessionId.of("s1")), "earlier reply");
        Files.createDirectories(home.rejectedDir());
        Files.writeString(home.rejectedDir().resolve("old.json"), "x");
        Files.writeString(home.rejectedDir().resolve("old.json.reason"), "is not valid JSON\n");

        clock.advance(Duration.ofSeconds(3));
        assertTrue(monitor.poll());
        HomeSnapshot s = monitor.latest();
        assertEquals(2, s.queueTotal());
        HomeSnapshot.QueuedItem good = s.queue().stream().filter(q -> q.session().equals("s2")).findFirst().orElseThrow();
        assertEquals("hello from s2", good.preview());
        HomeSnapshot.QueuedItem bad = s.queue().stream().filter(q -> q.name().equals("bad.json")).findFirst().orElseThrow();
        assertEquals("?", bad.session());
        assertTrue(bad.preview().startsWith("will be rejected: is a JSON array"), bad.preview());
        assertEquals(List.of(new HomeSnapshot.WaitingReply("s1", 1, true, "first reply")), s.waiting());
        assertEquals(1, s.rejectedTotal());
        assertEquals("is not valid JSON", s.rejected().get(0).reason());
        assertEquals(List.of("s1", "s2"), s.sessions(), "configured first, then the others");
        assertFalse(s.relayLive());
        assertEquals("stopped", s.state());
    }

    @Test
    void follows_the_conversation_journal_and_the_log() throws Exception {
        Home home = new Home(dir);
        ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
        HomeMonitor monitor = new HomeMonitor(home, List.of(), 1 << 20, clock, Duration.ofMillis(50));
        Files.createDirectories(home.stateDir());
        Files.writeString(home.conversationFile(),
                "{\"type\":\"user\",\"speaker\":\"s1\",\"content\":\"hi\",\"key\":\"k\",\"at\":\"2026-11-23T10:00:00Z\"}\n"
                        + "{\"type\":\"assistant\",\"content\":\"hello\",\"key\":\"k\",\"at\":\"2026-11-23T10:00:01Z\"}\n"
                        + "{\"type\":\"assis");   // a turn being written: not shown until complete
        Files.createDirectories(home.logsDir());
        Files.writeString(home.logFile(), "2026-11-23T10:00:00.000Z INFO  [main] RelayLoop: started\n"
                + "2026-11-23T10:00:00.000Z WARN  [relay-loop] RelayLoop: rejected x\n");
        monitor.poll();
        HomeSnapshot s = monitor.latest();
        assertEquals(2, s.turns().size());
        assertEquals("hello", s.turns().get(1).content());
        assertEquals(2, s.log().size());
        assertFalse(s.log().get(0).error());
        assertTrue(s.log().get(1).error());
    }

    @Test
    void a_waiting_override_is_shown() throws Exception {
        Home home = new Home(dir);
        ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
        HomeMonitor monitor = new HomeMonitor(home, List.of(), 1 << 20, clock, Duration.ofMillis(50));
        new FileOperatorActions(home).override("stop everything");
        monitor.poll();
        assertEquals(Optional.of("stop everything"), monitor.latest().pendingOverride());
        OperatorActions.Refused refused = org.junit.jupiter.api.Assertions.assertThrows(OperatorActions.Refused.class,
                () -> new FileOperatorActions(home).override("and this"));
        assertTrue(refused.getMessage().contains("an earlier override is still waiting"));
        assertEquals("stop everything", Files.readString(home.jcInputFile()));
    }

    @Test
    void following_another_agent_shows_only_its_log_from_the_next_snapshot_on() throws Exception {
        Home home = new Home(dir);
        ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
        HomeMonitor monitor = new HomeMonitor(home, List.of(), 1 << 20, clock, Duration.ofMillis(50));
        Path logs = Files.createDirectories(home.logsDir().resolve("agents"));
        Files.writeString(logs.resolve("c1.log"), "2026-11-23T09:00:00Z result c1 is done\n");
        Files.writeString(logs.resolve("c2.log"), "2026-11-23T09:00:01Z out c2 works\n");

        monitor.follow(Optional.of("c1"));
        assertTrue(monitor.poll());
        assertEquals(List.of(new HomeSnapshot.LogLine("09:00:00 result: c1 is done", false)), monitor.latest().agentLog());

        monitor.follow(Optional.of("c2"));
        assertTrue(monitor.poll());
        assertEquals(List.of(new HomeSnapshot.LogLine("09:00:01 c2 works", false)), monitor.latest().agentLog());
        Files.writeString(logs.resolve("c1.log"), "2026-11-23T09:00:02Z result c1 again\n", StandardOpenOption.APPEND);
        assertFalse(monitor.poll(), "the first stream was cancelled: c1's log is not read");
        assertEquals(List.of(new HomeSnapshot.LogLine("09:00:01 c2 works", false)), monitor.latest().agentLog());
    }
}
