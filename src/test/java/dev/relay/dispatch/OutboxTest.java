package dev.relay.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
    private static final SessionId WEB = SessionId.of("web");

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.parse("2026-12-02T10:00:00Z"));

    private List<String> texts(Outbox outbox) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (Outbox.Entry e : outbox.pending(WEB)) {
            out.add(Files.readString(e.file()));
        }
        return out;
    }

    @Test
    void replies_wait_oldest_first_and_held_ones_are_neither_listed_nor_counted() throws Exception {
        Outbox outbox = new Outbox(dir.resolve("outbox"), clock);
        assertEquals(List.of(), outbox.pending(WEB), "no directory yet");
        assertEquals(0, outbox.count(WEB));
        // ten in one millisecond (the sequence orders them), then one a second later: names sort as they were queued
        for (int i = 0; i < 10; i++) {
            outbox.enqueue(WEB, "key-" + i, "reply " + i);
        }
        clock.advance(Duration.ofSeconds(1));
        outbox.enqueue(WEB, "jc:op-1", "from the operator");
        assertTrue(outbox.hold(WEB, "key-held", "held reply"));
        assertEquals(List.of("reply 0", "reply 1", "reply 2", "reply 3", "reply 4", "reply 5", "reply 6", "reply 7", "reply 8",
                "reply 9", "from the operator"), texts(outbox));
        assertEquals(11, outbox.count(WEB));
        assertEquals(11, outbox.size());
        assertTrue(outbox.pending(WEB).get(10).fromOperator());
        assertTrue(outbox.contains(WEB, "key-held"), "a held reply is waiting too");
        assertFalse(outbox.hold(WEB, "key-held", "again"), "one reply per turn key");

        assertTrue(outbox.release(WEB, "key-held"));
        assertEquals(12, outbox.count(WEB));
        assertEquals("held reply", texts(outbox).get(11));
    }

    @Test
    void files_that_are_not_entries_are_left_alone() throws Exception {
        Outbox outbox = new Outbox(dir.resolve("outbox"), clock);
        outbox.enqueue(WEB, "key-1", "the reply");
        Path session = dir.resolve("outbox/web");
        Files.writeString(session.resolve(".tmp-123"), "a writer's temporary file");
        Files.writeString(session.resolve("notes.md"), "someone's notes");
        Files.writeString(session.resolve("0000000000001-000000-x.txt.tmp"), "half written");
        Files.createDirectory(session.resolve("sub"));
        assertEquals(List.of("the reply"), texts(outbox));
        assertEquals(1, outbox.count(WEB));
    }

    @Test
    void a_file_session_with_its_last_reply_unread_is_busy() throws Exception {
        Home home = new Home(dir);
        FileDispatchTarget target = new FileDispatchTarget(home);
        assertFalse(target.busy(WEB), "no dispatch directory yet");
        Files.createDirectories(home.dispatchDir(WEB));
        assertFalse(target.busy(WEB));
        Files.writeString(home.inputFile(WEB), "the last reply");
        assertTrue(target.busy(WEB));
    }

    @Test
    void a_linked_dispatch_directory_is_refused_even_when_only_asked_whether_it_is_busy() throws Exception {
        Home home = new Home(dir.resolve("home"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("input.txt"), "not ours");
        Files.createDirectories(home.dispatchRoot());
        Files.createSymbolicLink(home.dispatchDir(WEB), elsewhere);
        // busy would say true forever (the linked directory has an input.txt), and the session never show as blocked
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> new FileDispatchTarget(home).busy(WEB));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }
}
