package dev.relay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.state.RelayState;
import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import dev.relay.testing.RelayCli;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** relay raise, relay resume-once and the spend in relay status, on a home with no relay running. */
class BudgetCommandsTest {
    @TempDir
    Path home;

    Inbox inbox() {
        return new Inbox(home.resolve("state/inbox.json"), Clock.systemUTC());
    }

    Item brake() {
        return inbox().raise(new Inbox.Raise(Kind.BUDGET, Severity.URGENT, "budget:session:a", Optional.of("a"),
                "Budget reached: a stopped", "Session a spent $3.00 of $2.50 today"));
    }

    @Test
    void raise_records_the_amount_and_refuses_what_is_not_one() {
        Item b = brake();
        RelayCli.Result bad = RelayCli.run(home, "raise", b.code(), "lots");
        assertEquals(1, bad.code(), bad.out());
        assertTrue(bad.err().contains("\"lots\" is not an amount of dollars"), bad.err());
        assertTrue(inbox().read().find(b.code()).orElseThrow().history().isEmpty(), "nothing recorded");

        RelayCli.Result ok = RelayCli.run(home, "raise", b.code(), "+2");
        assertEquals(0, ok.code(), ok.err());
        Item.Entry e = inbox().read().find(b.code()).orElseThrow().history().get(0);
        assertEquals(Action.RAISE, e.action());
        assertEquals(Optional.of("+2"), e.text());
    }

    @Test
    void resume_once_takes_a_budget_item_only() {
        Item other = inbox().raise(new Inbox.Raise(Kind.STUCK_QUEUE, Severity.HIGH, "stuck_queue", Optional.empty(),
                "Relay queue stuck", "the oldest waits"));
        RelayCli.Result refused = RelayCli.run(home, "resume-once", other.code());
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("resume_once"), refused.err());

        Item b = brake();
        RelayCli.Result ok = RelayCli.run(home, "resume-once", b.code());
        assertEquals(0, ok.code(), ok.err());
        assertEquals(Action.RESUME_ONCE, inbox().read().find(b.code()).orElseThrow().history().get(0).action());
    }

    @Test
    void status_prints_todays_spend_its_lines_and_a_brake_loudly() {
        Status.Spend spend = new Status.Spend("2026-12-03", "Europe/Paris", 4.0, 3.5, 0.5, 0.9, 1,
                Map.of("messages_changed", 2),
                List.of(new Status.SpendLine("a", "file", 3.0, 0, 3.0, 3, 0),
                        new Status.SpendLine("web", "container", 0.5, 0.5, 1.0, 1, 2)),
                List.of(new Status.Budget("session:a", "a", 3.0, 2.5, "braked", true, 0),
                        new Status.Budget("total", null, 4.0, 25, "ok", false, 0)),
                List.of(new Status.DayTotal("2026-12-03", 4.0, 3.5, 0.5, 0.9),
                        new Status.DayTotal("2026-12-02", 7.25, 7.0, 0.25, 0.8)));
        Instant now = Instant.now();
        new StatusFile(home.resolve("state/status.json")).write(new Status(1, now.minusSeconds(600).toString(),
                now.minusSeconds(3600).toString(), RelayState.RUNNING, null, "m", null, null, null, null, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 4.0, 1.0, "5m", null, true, "anthropic", null, null, List.of(), null, spend));
        RelayCli.Result r = RelayCli.run(home, "status");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("Today:      $4.0000 (2026-12-03, Europe/Paris): coordinator $3.5000, agents $0.5000;"
                + " 90% of prompt tokens from the cache; 1 turn unpriced"), out);
        assertTrue(out.contains("Cache:      missed today: messages_changed 2x"), out);
        assertTrue(out.contains("Budget:     session a $3.00 of $2.50 (120%) BRAKED: its reports wait in queue/"), out);
        assertTrue(out.contains("Budget:     the day's total $4.00 of $25.00 (16%) ok"), out);
        assertTrue(out.contains("Spend:      web                  container  $1.0000 (coordinator $0.5000 over 1 turn,"
                + " agent $0.5000 over 2 results)"), out);
        assertTrue(out.contains("Days:       2026-12-03 $4.00 · 2026-12-02 $7.25"), out);
    }
}
