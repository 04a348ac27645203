package dev.relay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import dev.relay.testing.RelayCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** relay inbox, answer, ack, snooze and resolve on a home with no relay running (CONTRACT section 7). */
class InboxCommandsTest {
    @TempDir
    Path home;

    RelayCli.Result relay(String... args) {
        return RelayCli.run(home, args);
    }

    Inbox inbox() {
        return new Inbox(home.resolve("state/inbox.json"), Clock.systemUTC());
    }

    Item question() {
        return inbox().raise(new Inbox.Raise(Kind.NEEDS_JC, Severity.URGENT, "needs_jc:s1", Optional.of("s1"),
                "Relay needs JC about s1", "[NEEDS-JC] may I drop the users table?"));
    }

    @Test
    void inbox_json_prints_the_contracts_fields() throws Exception {
        Item q = question();
        RelayCli.Result r = relay("inbox", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode items = new ObjectMapper().readTree(r.out());
        assertEquals(1, items.size());
        JsonNode i = items.get(0);
        assertEquals(q.code(), i.get("code").asText());
        assertEquals("needs_jc", i.get("kind").asText());
        assertEquals("urgent", i.get("severity").asText());
        assertEquals("s1", i.get("session").asText());
        assertEquals("[NEEDS-JC] may I drop the users table?", i.get("text").asText());
        assertEquals("open", i.get("state").asText());
        assertEquals(1, i.get("count").asInt());
        assertTrue(i.get("created_at").asText().endsWith("Z"));
        assertEquals("[\"resume\",\"answer\",\"ack\",\"snooze\",\"resolve\"]", i.get("actions").toString());
        assertTrue(i.get("nonce") == null, "the phone's one-time value is not printed");
    }

    @Test
    void answer_applies_once_and_a_second_answer_exits_1_with_who_answered() {
        Item q = question();
        RelayCli.Result first = relay("answer", q.code(), "keep", "the", "table");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().startsWith(q.code() + ": answered"), first.out());
        assertTrue(first.out().contains("no relay is running"), first.out());
        Item.Entry e = inbox().read().find(q.code()).orElseThrow().history().get(0);
        assertEquals(Optional.of("keep the table"), e.text());
        assertEquals("cli", e.source().wire());

        RelayCli.Result second = relay("answer", q.code(), "drop it");
        assertEquals(1, second.code());
        assertTrue(second.err().contains("is no longer open: Answered from the command line at"), second.err());
        RelayCli.Result human = relay("inbox", "--all");
        assertTrue(human.out().contains("answer from the command line: keep the table (not yet carried out)"), human.out());
    }

    @Test
    void ack_snooze_and_resolve_and_their_refusals() {
        Item q = question();
        assertEquals(1, relay("ack", "NOPE1").code());
        assertEquals(2, relay("snooze", q.code(), "later").code());
        RelayCli.Result snoozed = relay("snooze", q.code(), "2h");
        assertEquals(0, snoozed.code(), snoozed.err());
        assertEquals(Item.State.SNOOZED, inbox().read().find(q.code()).orElseThrow().state());
        assertEquals(0, relay("ack", q.code()).code());
        assertEquals(Item.State.ACKNOWLEDGED, inbox().read().find(q.code()).orElseThrow().state());
        RelayCli.Result list = relay("inbox");
        assertTrue(list.out().contains("Inbox: 1 open item (0 not yet acknowledged)"), list.out());
        assertEquals(0, relay("resolve", q.code()).code());
        assertTrue(relay("inbox").out().contains("Inbox: nothing needs you."));
        RelayCli.Result again = relay("ack", q.code());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("no longer open: Resolved from the command line"), again.err());
    }
}
