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
import dev.relay.state.ControlFiles;
import dev.relay.state.RelayState;
import dev.relay.testing.LoopHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** No key needed: the operator answers the reports from the inbox, and a key added later hands over to the model. */
class OperatorCoordinatorTest extends SteppedRelayTest {
    /** With no key: the operator coordinates. */
    @Override
    void stepping(String config) {
        stepping(config, false);
    }

    Item report(String session) {
        return relay.open(Kind.REPORT).stream().filter(i -> i.session().equals(Optional.of(session))).findFirst().orElseThrow();
    }

    @Test
    void with_no_key_each_report_is_an_inbox_item_and_the_operators_answer_is_the_reply() {
        stepping("");
        Path envelope = relay.send("s1", "tests pass; shall I merge?");
        steps(2);
        assertEquals(RelayState.RUNNING, relay.status().state(), "the operator coordinating is not an error");
        assertEquals("operator", relay.status().coordinator());
        Item r = report("s1");
        assertEquals("Report from s1", r.title());
        assertEquals("tests pass; shall I merge?", r.text());
        assertTrue(r.takes(Action.ANSWER));
        assertTrue(relay.open(Kind.RELAY_ERROR).isEmpty(), "no key is no error here");

        assertInstanceOf(Inbox.Outcome.Applied.class,
                inbox().act(Inbox.Request.of(r.code(), Action.ANSWER, "Yes, merge it.", Source.CONSOLE)));
        steps(2);
        assertEquals(Optional.of("Yes, merge it."), relay.input("s1"));
        assertFalse(Files.exists(envelope), "answered: taken from the queue");
        List<String> journal = relay.journalLines();
        assertEquals(2, journal.size(), journal.toString());
        assertTrue(journal.get(0).contains("\"role\":\"user\"") || journal.get(0).contains("\"type\":\"user\""), journal.get(0));
        assertTrue(journal.get(1).contains("Yes, merge it.") && journal.get(1).contains("\"speaker\":\"operator\""), journal.get(1));
        assertEquals(0, relay.coordinator.requests.size());
        assertTrue(inbox().read().outgoing().get(0).title().startsWith("Answered from the console, "));
        assertTrue(relay.open(Kind.REPORT).isEmpty());
    }

    @Test
    void a_later_report_answered_first_waits_for_the_earlier_one_of_its_session() {
        stepping("");
        relay.send("s1", "first");
        clock.advance(Duration.ofSeconds(1));
        relay.send("s1", "second");
        steps(2);
        List<Item> reports = relay.open(Kind.REPORT);
        assertEquals(2, reports.size());
        Item first = reports.stream().filter(i -> i.text().equals("first")).findFirst().orElseThrow();
        Item second = reports.stream().filter(i -> i.text().equals("second")).findFirst().orElseThrow();

        inbox().act(Inbox.Request.of(second.code(), Action.ANSWER, "to the second", Source.CLI));
        steps(3);
        assertEquals(Optional.empty(), relay.input("s1"), "not before the first report's answer");
        inbox().act(Inbox.Request.of(first.code(), Action.ANSWER, "to the first", Source.CLI));
        steps(3);
        assertEquals("to the first", relay.take("s1"));
        steps(3);
        assertEquals(Optional.of("to the second"), relay.input("s1"));
        assertEquals(List.of(), inbox().unapplied());
    }

    @Test
    void a_key_added_later_hands_over_to_the_model_with_the_whole_history() {
        stepping("");
        relay.send("s1", "first report");
        steps(2);
        inbox().act(Inbox.Request.of(report("s1").code(), Action.ANSWER, "operator says hi", Source.PHONE));
        steps(2);
        relay.take("s1");
        relay.send("s2", "waiting for someone");
        steps(2);
        Item waiting = report("s2");

        LoopHarness.write(relay.home.envFile(), "ANTHROPIC_API_KEY=sk-ant-added-later-0123456789\n");
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.RESUME);
        relay.coordinator.thenReply("model here");
        steps(3);
        assertEquals("anthropic", relay.status().coordinator());
        assertEquals(Optional.of("model here"), relay.input("s2"));
        CoordinatorRequest req = relay.coordinator.requests.get(0);
        String prompt = req.messages().toString();
        assertTrue(prompt.contains("first report") && prompt.contains("operator says hi") && prompt.contains("waiting for someone"),
                prompt);
        Item after = inbox().read().find(waiting.code()).orElseThrow();
        assertFalse(after.isOpen());
        assertEquals(Optional.of("the coordinator answers it"), after.resolution());
    }

    @Test
    void coordinator_anthropic_without_a_key_holds_the_envelopes_and_says_so() {
        stepping("coordinator: anthropic\n");
        relay.send("s1", "anyone?");
        steps(2);
        assertEquals(RelayState.ERROR, relay.status().state());
        assertEquals("anthropic", relay.status().coordinator());
        assertTrue(relay.open(Kind.REPORT).isEmpty());
        assertEquals(1, relay.open(Kind.RELAY_ERROR).size());
    }

    @Test
    void coordinator_operator_with_a_key_still_asks_the_operator() {
        stepping("coordinator: operator\n", true);
        relay.send("s1", "over to you");
        steps(2);
        assertEquals(1, relay.open(Kind.REPORT).size());
        assertEquals(0, relay.coordinator.requests.size());
        assertEquals("operator", relay.status().coordinator());
    }
}
