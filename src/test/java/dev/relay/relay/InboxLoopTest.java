package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Source;
import dev.relay.state.RelayState;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop carrying out what the operator did to inbox items, from anywhere: answers, resumes, receipts. */
class InboxLoopTest {
    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.parse("2026-12-03T03:10:00Z"));
    LoopHarness relay;
    RelayLoop loop;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    Inbox inbox() {
        return new Inbox(relay.home.inboxFile(), clock);
    }

    /** A question from the coordinator about s1: the relay waits for JC, with one inbox item. */
    Item asked() {
        relay = new LoopHarness(dir, clock);
        loop = relay.build();
        loop.startStepping();
        relay.coordinator.thenReply("[NEEDS-JC] may I drop the users table?");
        relay.send("s1", "migration ready");
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(RelayState.NEEDS_JC, relay.status().state());
        List<Item> open = relay.open(Kind.NEEDS_JC);
        assertEquals(1, open.size());
        return open.get(0);
    }

    @Test
    void an_answer_from_the_phone_is_the_operators_turn_and_the_relay_runs_on_with_a_receipt() {
        Item q = asked();
        relay.coordinator.thenReply("Keep the table; archive it instead.");
        assertInstanceOf(Inbox.Outcome.Applied.class,
                inbox().fromPhone("msg1", q.code() + ": no, archive it").orElseThrow());
        loop.stepOnce();
        loop.stepOnce();
        loop.stepOnce();

        assertEquals(RelayState.RUNNING, relay.status().state());
        assertEquals(2, relay.coordinator.requests.size());
        String last = relay.coordinator.requests.get(1).messages().get(relay.coordinator.requests.get(1).messages().size() - 1).text();
        assertTrue(last.contains("no, archive it"), last);
        assertEquals("Keep the table; archive it instead.", relay.input("s1").orElseThrow(), "the reply to the operator goes out");
        Item done = inbox().read().find(q.code()).orElseThrow();
        assertFalse(done.isOpen());
        assertTrue(done.history().get(0).applied());
        List<Inbox.Note> notes = inbox().read().outgoing();
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).title().startsWith("Answered from the phone, "), notes.get(0).title());
    }

    @Test
    void resume_from_the_console_clears_the_pause_without_a_turn() {
        Item q = asked();
        inbox().act(Inbox.Request.of(q.code(), Action.RESUME, Source.CONSOLE));
        loop.stepOnce();
        assertEquals(RelayState.RUNNING, relay.status().state());
        assertEquals(1, relay.coordinator.requests.size(), "resume sends nothing to the coordinator");
        assertEquals("Resumed from the console, " + java.time.format.DateTimeFormatter.ofPattern("HH:mm")
                .format(clock.instant().atZone(java.time.ZoneId.systemDefault())), inbox().read().outgoing().get(0).title());
    }

    @Test
    void an_answer_carried_out_before_a_crash_is_not_sent_again() throws Exception {
        Item q = asked();
        inbox().act(Inbox.Request.of(q.code(), Action.ANSWER, "archive it", Source.CLI));
        // the relay wrote the operator's message and died before marking the action carried out
        Inbox.Pending pending = inbox().unapplied().get(0);
        String name = OperatorInbox.nameFor(pending.entry().at(), q.code(), pending.index(), q.session());
        Files.writeString(relay.home.operatorDir().resolve(name), "archive it");
        relay.coordinator.thenReply("Archiving.");
        loop.stepOnce();
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(2, relay.coordinator.requests.size(), "one operator turn, not two");
        assertEquals(List.of(), inbox().unapplied());
        loop.stepOnce();
        assertEquals(2, relay.coordinator.requests.size());
        assertEquals(Optional.of("Archiving."), relay.input("s1"));
    }

    @Test
    void resuming_by_the_old_command_resolves_the_question_by_itself() {
        Item q = asked();
        new dev.relay.state.ControlFiles(relay.home.controlDir()).submit(dev.relay.state.ControlFiles.Command.RESUME);
        loop.stepOnce();
        Item after = inbox().read().find(q.code()).orElseThrow();
        assertFalse(after.isOpen());
        assertEquals(Optional.of("the relay runs again"), after.resolution());
    }
}
