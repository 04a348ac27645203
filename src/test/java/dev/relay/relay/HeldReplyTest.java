package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Source;
import dev.relay.state.RelayState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Held replies (review:): what the coordinator says waits for the operator to approve, edit or reject it. */
class HeldReplyTest extends SteppedRelayTest {
    Item held() {
        List<Item> held = relay.open(Kind.HELD_REPLY);
        assertEquals(1, held.size(), held.toString());
        return held.get(0);
    }

    void act(Item item, Action action, String text) {
        assertInstanceOf(Inbox.Outcome.Applied.class, inbox().act(new Inbox.Request(item.code(), action,
                Optional.ofNullable(text), Source.CLI, Optional.empty())));
    }

    @Test
    void review_all_holds_every_reply_and_approve_sends_it_as_it_is() {
        stepping("review: all\n");
        relay.coordinator.thenReply("Drop the users table.");
        relay.send("s1", "migration ready");
        steps(2);
        assertEquals(Optional.empty(), relay.input("s1"), "held, not sent");
        assertEquals(RelayState.RUNNING, relay.status().state(), "the relay goes on");
        assertEquals(0, relay.queued(), "the report is answered: its reply waits for the operator");
        Item h = held();
        assertEquals("Drop the users table.", h.text());
        assertEquals(Optional.of("s1"), h.session());
        assertEquals("Reply to s1 held for review", h.title());

        act(h, Action.APPROVE, null);
        steps(3);
        assertEquals(Optional.of("Drop the users table."), relay.input("s1"));
        assertTrue(relay.open(Kind.HELD_REPLY).isEmpty());
        assertEquals(1, relay.coordinator.requests.size());
    }

    @Test
    void an_edit_sends_the_operators_text_and_is_recorded_as_such() {
        stepping("review: all\n");
        relay.coordinator.thenReply("Drop the users table.");
        relay.send("s1", "migration ready");
        steps(2);
        Item h = held();
        act(h, Action.ANSWER, "Archive the users table first, then drop it.");
        steps(3);
        assertEquals(Optional.of("Archive the users table first, then drop it."), relay.input("s1"));
        Item.Entry e = inbox().read().find(h.code()).orElseThrow().history().get(0);
        assertEquals(Action.ANSWER, e.action());
        assertEquals(Optional.of("Archive the users table first, then drop it."), e.text());
        assertTrue(e.applied());
    }

    @Test
    void a_rejection_asks_the_coordinator_again_with_the_note_and_its_new_reply_is_held_again() {
        stepping("review: all\n");
        relay.coordinator.thenReply("Drop the users table.").thenReply("Back it up, then drop it.");
        relay.send("s1", "migration ready");
        steps(2);
        Item first = held();
        act(first, Action.REJECT, "too risky without a backup");
        steps(3);
        assertEquals(2, relay.coordinator.requests.size());
        CoordinatorRequest again = relay.coordinator.requests.get(1);
        String last = again.messages().get(again.messages().size() - 1).text();
        assertTrue(last.contains("too risky without a backup") && last.contains("Write your reply to s1 again"), last);
        assertEquals(Optional.empty(), relay.input("s1"), "nothing sent yet");
        Item second = held();
        assertFalse(second.code().equals(first.code()));
        assertEquals("Back it up, then drop it.", second.text());
        act(second, Action.APPROVE, null);
        steps(3);
        assertEquals(Optional.of("Back it up, then drop it."), relay.input("s1"));
    }

    @Test
    void review_needs_jc_holds_only_a_question_for_jc_and_does_not_pause() {
        stepping("review: needs_jc\nsessions:\n  - id: s1\n  - id: s2\n");
        relay.coordinator.thenReply("Carry on.").thenReply("[NEEDS-JC] may I force-push?");
        relay.send("s1", "tests pass");
        steps(3);
        assertEquals(Optional.of("Carry on."), relay.input("s1"));
        relay.send("s2", "history is messy");
        steps(3);
        assertEquals(Optional.empty(), relay.input("s2"));
        assertEquals(RelayState.RUNNING, relay.status().state(), "held for the operator instead of pausing everyone");
        assertTrue(held().title().endsWith("(it asks for JC)"));
        assertTrue(relay.open(Kind.NEEDS_JC).isEmpty());
    }

    @Test
    void review_per_session_holds_one_sessions_replies_only() {
        stepping("sessions:\n  - id: s1\n  - id: s2\n    review: all\n");
        relay.coordinator.byDefault(r -> "ok");
        relay.send("s1", "one");
        steps(3);
        relay.send("s2", "two");
        steps(3);
        assertEquals(Optional.of("ok"), relay.input("s1"));
        assertEquals(Optional.empty(), relay.input("s2"));
        assertEquals(Optional.of("s2"), held().session());
    }
}
