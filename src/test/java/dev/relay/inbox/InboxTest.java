package dev.relay.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InboxTest {
    @TempDir
    Path dir;

    ManualClock clock;
    Inbox inbox;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(Instant.parse("2026-12-03T03:00:00Z"));
        inbox = new Inbox(dir.resolve("state/inbox.json"), clock);
    }

    Item question() {
        return inbox.raise(new Inbox.Raise(Kind.NEEDS_JC, Severity.URGENT, "needs_jc:s1", Optional.of("s1"),
                "Relay needs JC", "[NEEDS-JC] may I drop the table?"));
    }

    @Test
    void identical_open_items_are_one_item_with_a_count_and_a_resolved_one_is_not_reused() {
        Item first = question();
        clock.advance(Duration.ofMinutes(1));
        Item again = question();
        assertEquals(first.code(), again.code());
        assertEquals(2, again.count());
        assertEquals(1, inbox.read().open().size());
        assertTrue(first.code().matches("[A-Z0-9]{4,8}"), first.code());

        assertEquals(1, inbox.clear("needs_jc:s1", "the relay runs again"));
        Item third = question();
        assertFalse(third.code().equals(first.code()), "a new item once the old one is resolved");
        assertEquals(1, third.count());
        assertEquals(2, inbox.read().items().size());
    }

    @Test
    void the_first_action_wins_and_the_second_is_told_who_acted() {
        Item q = question();
        Inbox.Outcome first = inbox.act(Inbox.Request.of(q.code(), Action.RESUME, Source.PHONE));
        Inbox.Outcome second = inbox.act(Inbox.Request.of(q.code(), Action.ANSWER, "yes", Source.CONSOLE));
        assertInstanceOf(Inbox.Outcome.Applied.class, first);
        Inbox.Outcome.Refused refused = assertInstanceOf(Inbox.Outcome.Refused.class, second);
        assertTrue(refused.reason().contains("Resumed from the phone at"), refused.reason());
        Item now = inbox.read().find(q.code()).orElseThrow();
        assertEquals(Item.State.RESOLVED, now.state());
        assertEquals(List.of(Action.RESUME), now.history().stream().map(Item.Entry::action).toList());
        assertEquals(Source.PHONE, now.history().get(0).source());
        assertFalse(now.history().get(0).applied(), "the relay has still to carry it out");
    }

    @Test
    void two_threads_acting_at_once_on_one_item_apply_exactly_one_action() throws Exception {
        Item q = question();
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Inbox.Outcome> outcomes = new CopyOnWriteArrayList<>();
        List<Thread> started = new ArrayList<>();
        for (int n = 0; n < threads; n++) {
            Inbox other = new Inbox(dir.resolve("state/inbox.json"), clock);   // as another process would
            String text = "answer " + n;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                outcomes.add(other.act(Inbox.Request.of(q.code(), Action.ANSWER, text, Source.CLI)));
            });
            t.start();
            started.add(t);
        }
        go.countDown();
        for (Thread t : started) {
            t.join();
        }
        assertEquals(1, outcomes.stream().filter(o -> o instanceof Inbox.Outcome.Applied).count(), outcomes.toString());
        assertEquals(1, inbox.read().find(q.code()).orElseThrow().history().size());
    }

    @Test
    void an_action_the_kind_does_not_take_or_without_its_text_is_refused_with_the_reason() {
        Item q = question();
        Inbox.Outcome.Refused deny = assertInstanceOf(Inbox.Outcome.Refused.class,
                inbox.act(Inbox.Request.of(q.code(), Action.DENY, Source.CLI)));
        assertTrue(deny.reason().contains("does not take deny; it takes resume, answer, ack, snooze, resolve"), deny.reason());
        Inbox.Outcome.Refused empty = assertInstanceOf(Inbox.Outcome.Refused.class,
                inbox.act(Inbox.Request.of(q.code(), Action.ANSWER, "  ", Source.CLI)));
        assertTrue(empty.reason().startsWith("answer needs text"), empty.reason());
        Inbox.Outcome.Refused none = assertInstanceOf(Inbox.Outcome.Refused.class,
                inbox.act(Inbox.Request.of("ZZZZZ", Action.ACK, Source.CLI)));
        assertTrue(none.reason().contains("no inbox item ZZZZZ"), none.reason());
        Inbox.Outcome.Refused badSnooze = assertInstanceOf(Inbox.Outcome.Refused.class,
                inbox.act(Inbox.Request.of(q.code(), Action.SNOOZE, "soon", Source.CLI)));
        assertTrue(badSnooze.reason().contains("30m"), badSnooze.reason());
        assertTrue(inbox.read().find(q.code()).orElseThrow().history().isEmpty(), "nothing recorded");
    }

    @Test
    void a_lowercase_code_finds_its_item() {
        Item q = question();
        assertInstanceOf(Inbox.Outcome.Applied.class,
                inbox.act(Inbox.Request.of(q.code().toLowerCase(), Action.ACK, Source.CLI)));
    }

    @Test
    void acknowledging_stops_the_pushes_and_snoozing_delays_them_until_it_is_open_again() {
        Item q = question();
        assertEquals(Optional.of(clock.instant()), q.nextPushAt(), "pushed at once");
        inbox.act(Inbox.Request.of(q.code(), Action.SNOOZE, "30m", Source.CLI));
        Item snoozed = inbox.read().find(q.code()).orElseThrow();
        assertEquals(Item.State.SNOOZED, snoozed.state());
        assertEquals(Optional.of(clock.instant().plus(Duration.ofMinutes(30))), snoozed.nextPushAt());

        clock.advance(Duration.ofMinutes(29));
        inbox.wakeSnoozed();
        assertEquals(Item.State.SNOOZED, inbox.read().find(q.code()).orElseThrow().state());
        clock.advance(Duration.ofMinutes(1));
        inbox.wakeSnoozed();
        assertEquals(Item.State.OPEN, inbox.read().find(q.code()).orElseThrow().state());

        inbox.act(Inbox.Request.of(q.code(), Action.ACK, Source.CONSOLE));
        Item acked = inbox.read().find(q.code()).orElseThrow();
        assertEquals(Item.State.ACKNOWLEDGED, acked.state());
        assertEquals(Optional.empty(), acked.nextPushAt());
        assertTrue(acked.isOpen(), "acknowledged is still open: its cause has not cleared");
    }

    @Test
    void a_phone_message_is_applied_once_and_only_with_the_items_current_one_time_value() {
        Item q = question();
        String forged = "{\"code\":\"" + q.code() + "\",\"action\":\"resume\",\"nonce\":\"0000\"}";
        Inbox.Outcome.Refused r = assertInstanceOf(Inbox.Outcome.Refused.class, inbox.fromPhone("m1", forged).orElseThrow());
        assertTrue(r.reason().contains("one-time value"), r.reason());
        assertTrue(inbox.read().find(q.code()).orElseThrow().isOpen());

        String real = "{\"code\":\"" + q.code() + "\",\"action\":\"snooze\",\"nonce\":\"" + q.nonce() + "\",\"text\":\"1h\"}";
        assertInstanceOf(Inbox.Outcome.Applied.class, inbox.fromPhone("m2", real).orElseThrow());
        assertEquals(Optional.empty(), inbox.fromPhone("m2", real), "the same message again: ignored");
        Inbox.Outcome.Refused used = assertInstanceOf(Inbox.Outcome.Refused.class, inbox.fromPhone("m3", real).orElseThrow());
        assertTrue(used.reason().contains("already used"), "a repeated button press (new message id): " + used.reason());
        assertEquals(1, inbox.read().find(q.code()).orElseThrow().history().size());
        assertEquals(Optional.of("m3"), inbox.read().replySince());
    }

    @Test
    void a_text_message_code_colon_text_answers_the_item() {
        Item q = question();
        Inbox.Outcome.Applied a = assertInstanceOf(Inbox.Outcome.Applied.class,
                inbox.fromPhone("m1", q.code().toLowerCase() + ": Yes, but keep a backup.\nThanks").orElseThrow());
        assertEquals(Action.ANSWER, a.entry().action());
        assertEquals(Optional.of("Yes, but keep a backup.\nThanks"), a.entry().text());
        assertInstanceOf(Inbox.Outcome.Refused.class, inbox.fromPhone("m2", "hello there").orElseThrow());
    }

    @Test
    void a_damaged_file_is_set_aside_and_the_inbox_goes_on() throws Exception {
        question();
        Path file = dir.resolve("state/inbox.json");
        Files.writeString(file, "{ not json");
        assertTrue(inbox.read().items().isEmpty());
        question();
        assertEquals(1, inbox.read().items().size());
        try (var files = Files.list(dir.resolve("state"))) {
            List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("inbox.json.damaged-")).toList();
            assertEquals(1, aside.size());
            assertEquals("{ not json", Files.readString(aside.get(0)));
        }
    }

    @Test
    void a_push_not_taken_is_retried_and_a_taken_one_renotifies_until_the_limit() {
        Item q = question();
        Instant t0 = clock.instant();
        inbox.pushed(q.code(), t0, false, "HTTP 503", Duration.ofMinutes(30), 2, Duration.ofSeconds(4));
        Inbox.Data d = inbox.read();
        assertEquals(Optional.of(t0), d.phoneUnreachableSince());
        assertEquals(Optional.of(t0.plusSeconds(4)), d.find(q.code()).orElseThrow().nextPushAt());
        for (int n = 1; n <= 3; n++) {
            Instant at = inbox.read().find(q.code()).orElseThrow().nextPushAt().orElseThrow();
            clock.set(at);
            inbox.pushed(q.code(), at, true, "", Duration.ofMinutes(30), 2, Duration.ofSeconds(1));
        }
        Item done = inbox.read().find(q.code()).orElseThrow();
        assertEquals(3, done.pushes(), "the first push and two re-notifications");
        assertEquals(Optional.empty(), done.nextPushAt());
        assertEquals(Optional.empty(), inbox.read().phoneUnreachableSince());
    }
}
