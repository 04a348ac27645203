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
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueViewTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));

    @Test
    void shows_the_first_envelopes_with_the_total_and_a_change_only_once() throws Exception {
        Home home = new Home(dir);
        QueueView view = new QueueView(home, 1 << 20, clock, 2, 10);
        assertFalse(view.poll(), "an empty home shows nothing new");
        for (String text : List.of("one", "two", "three")) {
            EnvelopeWriter.write(home.queueDir(), SessionId.of("s1"), text, Optional.empty());
        }
        assertTrue(view.poll());
        assertEquals(3, view.queueTotal());
        assertEquals(2, view.queue().size(), "at most two listed");
        assertTrue(view.queue().stream().allMatch(q -> q.session().equals("s1")), view.queue().toString());
        assertFalse(view.poll(), "listed again or not, nothing shown changed");
    }

    @Test
    void shows_rejected_envelopes_and_replies_waiting_per_session() throws Exception {
        Home home = new Home(dir);
        QueueView view = new QueueView(home, 1 << 20, clock, 10, 10);
        new Outbox(home.outboxRoot(), clock).enqueue(SessionId.of("s2"), "k1", "a reply\n\nto s2");
        Files.createDirectories(home.dispatchDir(SessionId.of("s3")));
        Files.writeString(home.inputFile(SessionId.of("s3")), "unread");
        Files.createDirectories(home.dispatchRoot().resolve("not a session"));
        Files.createDirectories(home.rejectedDir());
        Files.writeString(home.rejectedDir().resolve("x.json"), "{");
        Files.writeString(home.rejectedDir().resolve("x.json.reason"), "is not valid JSON\n");

        assertTrue(view.poll());
        assertEquals(List.of(new HomeSnapshot.WaitingReply("s2", 1, false, "a reply to s2"),
                new HomeSnapshot.WaitingReply("s3", 0, true, "unread")), view.waiting());
        assertEquals(1, view.rejectedTotal());
        assertEquals("is not valid JSON", view.rejected().get(0).reason());
        assertEquals(List.of("s3"), view.dispatchSessions(), "only valid session ids");

        Files.delete(home.inputFile(SessionId.of("s3")));
        assertTrue(view.poll(), "s3 read its input");
        assertEquals(List.of("s2"), view.waiting().stream().map(HomeSnapshot.WaitingReply::session).toList());
    }
}
