package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.inbox.Source;
import dev.relay.state.Status;
import dev.relay.testing.LoopHarness;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Budgets that brake: the scripted coordinator's every answer (10 input tokens, 5 output) costs exactly $1.00 at the
 * price set here, so the tests count dollars in turns. Days are Paris days: 23:00 UTC is midnight there in December.
 */
class BudgetTest extends SteppedRelayTest {
    private static final String PRICED = """
            model: m-test
            prices:
              m-test: {input: 100000, output: 0, cache_write_5m: 0, cache_write_1h: 0, cache_read: 0}
            """;

    private void start(String budgets) {
        stepping(PRICED + "budgets:\n" + budgets.indent(2) + "  zone: Europe/Paris\n");
    }

    /** Sends a report from {@code session}, lets the relay answer it and the session take the reply. */
    private void report(String session, String text) {
        relay.send(session, text);
        steps(3);
        relay.input(session).ifPresent(r -> relay.take(session));
    }

    private Status.Budget budget(String scope) {
        return relay.status().spend().budgets().stream().filter(b -> b.scope().equals(scope)).findFirst().orElseThrow();
    }

    private List<Item> budgetItems() {
        return relay.open(Kind.BUDGET);
    }

    private void act(Item item, Action action, String text) {
        assertInstanceOf(Inbox.Outcome.Applied.class, inbox().act(new Inbox.Request(item.code(), action,
                Optional.ofNullable(text), Source.CLI, Optional.empty())));
    }

    @Test
    void a_session_over_its_daily_limit_waits_while_others_go_on_and_a_new_day_lifts_it() {
        start("session_daily_usd: 2.5\n");
        report("a", "one");
        report("a", "two");
        List<Item> warned = budgetItems();
        assertEquals(1, warned.size(), "at 80 %: one item: " + warned);
        assertEquals("Budget: a at 80% of $2.50", warned.get(0).title());
        assertEquals(Severity.HIGH, warned.get(0).severity());
        assertEquals("warn", budget("session:a").state());

        report("a", "three");   // taken at $2.00: it brings a to $3.00
        List<Item> braked = budgetItems();
        assertEquals(1, braked.size(), "the warning gives way to the brake: " + braked);
        Item brake = braked.get(0);
        assertEquals("Budget reached: a stopped", brake.title());
        assertEquals(Severity.URGENT, brake.severity());
        assertEquals(Optional.of("a"), brake.session());
        assertTrue(brake.text().contains("spent $3.00 of $2.50"), brake.text());
        assertTrue(brake.kind().takes(Action.RAISE) && brake.kind().takes(Action.RESUME_ONCE));

        relay.send("a", "four");
        relay.send("b", "from b");
        steps(4);
        assertEquals(Optional.of("reply to: [session b] from b"), relay.input("b"), "another session goes on");
        assertEquals(1, relay.queued(), "a's report waits in queue/");
        assertEquals(4, relay.coordinator.requests.size());
        Status.Budget a = budget("session:a");
        assertEquals("braked", a.state());
        assertTrue(a.stops());
        assertEquals(3.0, a.spentUsd(), 1e-9);
        assertEquals(1, relay.status().spend().braked().size());

        clock.set(Instant.parse("2026-12-03T23:00:01Z"));   // 00:00:01 on the 4th in Paris
        steps(3);
        assertEquals(0, relay.queued(), "a new day lifts the brake by itself");
        assertEquals(Optional.of("reply to: [session a] four"), relay.input("a"));
        assertTrue(budgetItems().isEmpty(), "the brake's item resolves itself");
        Item resolved = inbox().read().find(brake.code()).orElseThrow();
        assertEquals(Item.State.RESOLVED, resolved.state());
        Status.Spend spend = relay.status().spend();
        assertEquals("2026-12-04", spend.day());
        assertEquals(1.0, spend.totalUsd(), 1e-9);
        assertEquals(List.of("2026-12-04", "2026-12-03"), spend.days().stream().map(Status.DayTotal::day).toList());
        assertEquals(4.0, spend.days().get(1).totalUsd(), 1e-9, "yesterday: a's three and b's one");
    }

    @Test
    void raising_todays_limit_from_the_inbox_lets_the_session_go_on_at_the_new_limit() {
        start("session_daily_usd: 1\n");
        report("a", "one");
        Item brake = budgetItems().get(0);
        relay.send("a", "two");
        steps(3);
        assertEquals(1, relay.queued());

        act(brake, Action.RAISE, "+2");
        steps(3);
        assertEquals(0, relay.queued(), "raised to $3.00: a goes on");
        assertEquals(3.0, budget("session:a").limitUsd(), 1e-9);
        Item done = inbox().read().find(brake.code()).orElseThrow();
        assertEquals(Item.State.RESOLVED, done.state());
        assertTrue(done.history().get(0).applied());
        List<Inbox.Note> notes = inbox().read().outgoing();
        assertEquals(1, notes.stream().filter(n -> n.title().startsWith("Limit raised ")
                && n.title().endsWith(": today's limit is $3.00")).count(), "the receipt says what was done: " + notes);
    }

    @Test
    void code_colon_amount_from_the_phone_sets_todays_limit() {
        start("session_daily_usd: 1\n");
        report("a", "one");
        Item brake = budgetItems().get(0);
        assertInstanceOf(Inbox.Outcome.Applied.class, inbox().fromPhone("m-1", brake.code() + ": 6").orElseThrow());
        steps(2);
        assertEquals(6.0, budget("session:a").limitUsd(), 1e-9);
        assertFalse(budget("session:a").stops());
        assertEquals(Action.RAISE, inbox().read().find(brake.code()).orElseThrow().history().get(0).action());
    }

    @Test
    void a_raise_that_is_not_an_amount_changes_nothing_and_says_why() {
        start("session_daily_usd: 1\n");
        report("a", "one");
        act(budgetItems().get(0), Action.RAISE, "lots");
        steps(2);
        assertEquals(1.0, budget("session:a").limitUsd(), 1e-9);
        assertTrue(budget("session:a").stops());
        List<Inbox.Note> notes = inbox().read().outgoing();
        assertTrue(notes.stream().anyMatch(n -> n.title().contains("not raised: \"lots\" is not an amount")), notes.toString());
    }

    @Test
    void resume_once_lets_exactly_one_report_through_and_then_the_brake_stands_again_with_a_new_item() {
        start("session_daily_usd: 1\n");
        report("a", "one");
        Item first = budgetItems().get(0);
        relay.send("a", "two");
        relay.send("a", "three");
        steps(3);
        assertEquals(2, relay.queued());

        act(first, Action.RESUME_ONCE, null);
        steps(4);
        assertEquals(1, relay.queued(), "one report went through, the next waits");
        assertEquals(2, relay.coordinator.requests.size());
        List<Item> again = budgetItems();
        assertEquals(1, again.size(), "the brake stands again and says so: " + again);
        assertFalse(again.get(0).code().equals(first.code()));
    }

    @Test
    void the_days_total_stops_every_session_and_no_agent_may_start() {
        start("daily_usd: 2\n");
        report("a", "one");
        report("b", "two");
        Status.Budget total = budget("total");
        assertTrue(total.stops());
        assertEquals("Budget reached: the relay stopped", budgetItems().get(0).title());
        relay.send("c", "three");
        steps(3);
        assertEquals(1, relay.queued());
        assertFalse(loop.mayStartAgent(dev.relay.core.SessionId.of("web")), "container agents start no new run");
    }

    @Test
    void a_brake_stands_over_a_restart_without_a_second_item() {
        start("session_daily_usd: 1\n");
        report("a", "one");
        relay.send("a", "two");
        steps(3);
        assertEquals(1, budgetItems().size());
        relay.close();

        relay = new LoopHarness(dir, clock).config(PRICED + "budgets:\n  session_daily_usd: 1\n  zone: Europe/Paris\n");
        loop = relay.build();
        loop.startStepping();
        steps(4);
        assertEquals(1, relay.queued(), "still braked after the restart");
        assertTrue(budget("session:a").stops());
        assertEquals(1, budgetItems().size(), "the same item, not a new one");
        assertEquals(0, relay.coordinator.requests.size(), "the new relay asked its coordinator nothing");
    }

    @Test
    void a_model_without_a_price_is_counted_as_unpriced_and_said_once_not_priced_as_zero() {
        stepping("model: mystery-model-1\nbudgets:\n  daily_usd: 1\n");
        report("a", "one");
        report("a", "two");
        Status.Spend spend = relay.status().spend();
        assertEquals(2, spend.unpricedTurns());
        assertEquals(0.0, spend.totalUsd());
        long said = relay.events.stream().filter(e -> e instanceof RelayEvent.Problem p
                && p.message().contains("no price for model mystery-model-1")).count();
        assertEquals(1, said, "said once");
        assertTrue(relay.journalLines().stream().filter(l -> l.contains("\"role\":\"assistant\""))
                .allMatch(l -> l.contains("\"unpriced\":true")), "the journal keeps that the cost is unknown");
        assertNotNull(spend.lines());
    }
}
