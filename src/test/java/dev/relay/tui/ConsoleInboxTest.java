package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.relay.core.Home;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Inbox.Raise;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.inbox.Source;
import dev.relay.monitor.FileOperatorActions;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.testing.Await;
import dev.relay.testing.ConsoleDriver;
import dev.relay.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbox in the console: its keys act on state/inbox.json through {@link Inbox#act} as the console, and what an
 * action came to (applied, or refused because someone acted first) is in the footer. On a real inbox file in a
 * temporary home; the last test runs the whole console on a virtual terminal, attached, with no relay.
 */
class ConsoleInboxTest {
    private static final TerminalSize SIZE = new TerminalSize(120, 40);
    private static final DateTimeFormatter CLOCK_TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());

    @TempDir
    Path dir;

    Home home;
    ManualClock clock;
    Inbox inbox;
    String urgent;
    String stuck;

    @BeforeEach
    void twoItems() {
        home = new Home(dir);
        clock = new ManualClock(Fixtures.NOW.minusSeconds(600));
        inbox = new Inbox(home.inboxFile(), clock);
        stuck = inbox.raise(new Raise(Kind.STUCK_QUEUE, Severity.HIGH, "stuck_queue", Optional.empty(),
                "Queue stuck for 10 minutes", "3 envelopes wait")).code();
        clock.set(Fixtures.NOW.minusSeconds(60));
        urgent = inbox.raise(new Raise(Kind.NEEDS_JC, Severity.URGENT, "needs_jc:s1", Optional.of("s1"), "Relay needs JC",
                "Shall I drop the legacy table?")).code();
        clock.set(Fixtures.NOW);
    }

    /** A console over this home's inbox file as it is now (the monitor's snapshot, read on every look). */
    private ConsoleController console(Supplier<HomeSnapshot> snapshots) {
        return new ConsoleController(new FileOperatorActions(home, clock), snapshots, clock, ConsoleHost.ATTACHED_TO_DAEMON,
                () -> { }, a -> { });
    }

    private HomeSnapshot live() {
        return Fixtures.withInbox(Fixtures.busy(), inbox.read());
    }

    private static void press(ConsoleController c, Object... keys) {
        for (Object k : keys) {
            if (k instanceof String s) {
                s.chars().forEach(ch -> c.handle(new KeyStroke((char) ch, false, false)));
            } else {
                c.handle(new KeyStroke((KeyType) k));
            }
        }
    }

    private static String footer(ConsoleController c, HomeSnapshot s) {
        List<ConsoleView.Placed> lines = c.view(s, SIZE, Fixtures.NOW).lines();
        return lines.get(lines.size() - 1).line().text();
    }

    private Item item(String code) {
        return inbox.read().find(code).orElseThrow();
    }

    private static Item.Entry last(Item i) {
        return i.history().get(i.history().size() - 1);
    }

    @Test
    void i_opens_the_inbox_most_urgent_first_and_c_acknowledges_the_selected_item_as_the_console() {
        ConsoleController c = console(this::live);
        press(c, "i");
        assertEquals(ConsoleMode.INBOX, c.mode());
        String window = c.view(live(), SIZE, Fixtures.NOW).overlay().orElseThrow().lines().stream()
                .map(p -> p.line().text()).reduce("", (a, b) -> a + b + "\n");
        assertTrue(window.indexOf(urgent) < window.indexOf(stuck), "the urgent item first\n" + window);
        assertTrue(window.contains("Shall I drop the legacy table?"), "the selected item's text\n" + window);

        press(c, "c");
        Item acked = item(urgent);
        assertEquals(Item.State.ACKNOWLEDGED, acked.state());
        assertEquals(Action.ACK, last(acked).action());
        assertEquals(Source.CONSOLE, last(acked).source());
        assertEquals(Fixtures.NOW, last(acked).at());
        assertEquals("  inbox 1  " + urgent + ": acknowledged", footer(c, live()), "one item is still unseen");
        assertEquals(Item.State.OPEN, item(stuck).state(), "only the selected item");
        assertEquals(ConsoleMode.INBOX, c.mode(), "the inbox stays open for the next item");
    }

    @Test
    void shift_r_restarts_a_failed_agent_and_leaves_its_item_open_until_it_works_again() {
        inbox.act(Inbox.Request.of(urgent, Action.RESOLVE, Source.CLI));
        inbox.act(Inbox.Request.of(stuck, Action.RESOLVE, Source.CLI));
        String failed = inbox.raise(new Raise(Kind.AGENT_FAILED, Severity.HIGH, "agent_failed:c1", Optional.of("c1"),
                "Relay: agent c1 failed", "container 3f2a killed: out of memory (exit 137)")).code();
        ConsoleController c = console(this::live);
        press(c, "i", "r");
        assertTrue(item(failed).history().isEmpty(), "r (resume) is not an agent's action");
        press(c, "R");
        Item restarted = item(failed);
        assertEquals(Action.RESTART, last(restarted).action());
        assertEquals(Source.CONSOLE, last(restarted).source());
        assertEquals(Item.State.ACKNOWLEDGED, restarted.state());
        assertTrue(restarted.isOpen());
    }

    @Test
    void y_approves_a_held_reply_and_n_rejects_another_with_a_typed_note() {
        inbox.act(Inbox.Request.of(urgent, Action.RESOLVE, Source.CLI));
        inbox.act(Inbox.Request.of(stuck, Action.RESOLVE, Source.CLI));
        String first = inbox.raise(new Raise(Kind.HELD_REPLY, Severity.HIGH, "held_reply:k1", Optional.of("s1"),
                "Reply to s1 held for review", "Drop the users table.")).code();
        ConsoleController c = console(this::live);
        press(c, "i", "y");
        assertEquals(Action.APPROVE, last(item(first)).action());
        assertFalse(item(first).isOpen());

        String second = inbox.raise(new Raise(Kind.HELD_REPLY, Severity.HIGH, "held_reply:k2", Optional.of("s1"),
                "Reply to s1 held for review", "Force-push main.")).code();
        press(c, "n");
        assertEquals(ConsoleMode.EDIT_ANSWER, c.mode());
        for (char ch : "never on main".toCharArray()) {
            press(c, String.valueOf(ch));
        }
        press(c, KeyType.Enter);
        Item rejected = item(second);
        assertEquals(Action.REJECT, last(rejected).action());
        assertEquals(Optional.of("never on main"), last(rejected).text());
        assertEquals(Source.CONSOLE, last(rejected).source());
    }

    @Test
    void y_allows_a_permission_Y_allows_it_for_the_session_and_n_denies_one_with_a_message() {
        inbox.act(Inbox.Request.of(urgent, Action.RESOLVE, Source.CLI));
        inbox.act(Inbox.Request.of(stuck, Action.RESOLVE, Source.CLI));
        ConsoleController c = console(this::live);
        String[] codes = new String[3];
        for (int n = 0; n < 3; n++) {
            codes[n] = inbox.raise(new Raise(Kind.PERMISSION, Severity.URGENT, "permission:web:" + n, Optional.of("web"),
                    "Permission for web: Bash", "Bash: npm publish")).code();
        }
        press(c, "i", "y");
        press(c, "Y");
        press(c, "n");
        for (char ch : "not from here".toCharArray()) {
            press(c, String.valueOf(ch));
        }
        press(c, KeyType.Enter);
        List<Action> done = java.util.Arrays.stream(codes).map(code -> last(item(code)).action()).sorted().toList();
        assertEquals(List.of(Action.ALLOW, Action.ALLOW_SESSION, Action.DENY), done);
        Item denied = java.util.Arrays.stream(codes).map(this::item).filter(i -> last(i).action() == Action.DENY).findFirst()
                .orElseThrow();
        assertEquals(Optional.of("not from here"), last(denied).text());
    }

    @Test
    void j_selects_the_next_item_and_z_snoozes_it_for_an_hour_and_Z_for_a_typed_time() {
        ConsoleController c = console(this::live);
        press(c, "i", "j", "z");
        assertEquals(Item.State.SNOOZED, item(stuck).state());
        assertEquals(Optional.of(Fixtures.NOW.plus(Duration.ofHours(1))), item(stuck).snoozedUntil());
        assertTrue(footer(c, live()).endsWith(stuck + ": snoozed for 1h"), footer(c, live()));

        press(c, "k", "Z");
        assertEquals(ConsoleMode.EDIT_ANSWER, c.mode());
        press(c, "soon", KeyType.Enter);
        assertTrue(footer(c, live()).endsWith("cannot snooze for \"soon\": give a duration such as 30m or 2h"),
                footer(c, live()));
        assertEquals(Item.State.OPEN, item(urgent).state(), "a duration the inbox cannot read changes nothing");
        press(c, "Z");
        assertEquals("soon", c.answerEditor().text(), "what was typed is kept for the same item");
        for (int i = 0; i < 4; i++) {
            press(c, KeyType.Backspace);
        }
        press(c, "30m", KeyType.Enter);
        assertEquals(Optional.of(Fixtures.NOW.plus(Duration.ofMinutes(30))), item(urgent).snoozedUntil());
        assertEquals(Source.CONSOLE, last(item(urgent)).source());
        assertEquals(Optional.of("30m"), last(item(urgent)).text());
    }

    @Test
    void an_answer_typed_in_the_editor_is_recorded_as_an_answer_with_its_text() {
        ConsoleController c = console(this::live);
        press(c, "i", KeyType.Enter);
        assertEquals(ConsoleMode.EDIT_ANSWER, c.mode());
        assertEquals("Answer " + urgent + ": what to tell s1", c.view(live(), SIZE, Fixtures.NOW).overlay().orElseThrow().title());
        press(c, "Yes, drop it.", KeyType.Enter);

        Item answered = item(urgent);
        assertEquals(Item.State.RESOLVED, answered.state());
        assertEquals(Action.ANSWER, last(answered).action());
        assertEquals(Optional.of("Yes, drop it."), last(answered).text());
        assertEquals(Source.CONSOLE, last(answered).source());
        assertFalse(last(answered).applied(), "the relay carries it out");
        assertEquals(ConsoleMode.INBOX, c.mode());
        assertTrue(footer(c, live()).endsWith(urgent + ": answered"), footer(c, live()));
        assertTrue(c.answerEditor().text().isEmpty(), "the editor is empty for the next answer");
    }

    @Test
    void an_action_on_an_item_resolved_elsewhere_meanwhile_says_who_came_first() {
        AtomicReference<HomeSnapshot> seen = new AtomicReference<>(live());   // the monitor has not looked again yet
        ConsoleController c = console(seen::get);
        press(c, "i");
        clock.advance(Duration.ofMinutes(2));
        new Inbox(home.inboxFile(), clock).act(Inbox.Request.of(urgent, Action.RESUME, Source.PHONE));
        byte[] before = readInbox();

        press(c, "r");
        assertEquals("  inbox 2  " + urgent + " is no longer open: Resumed from the phone at "
                + CLOCK_TIME.format(clock.instant()), footer(c, seen.get()));
        assertArrayEquals(before, readInbox(), "the refused action changed nothing");
        assertEquals(1, item(urgent).history().size());
    }

    @Test
    void an_answer_sent_after_the_phone_resumed_the_item_is_refused_and_the_editor_said_so() {
        ConsoleController c = console(this::live);
        press(c, "i", "a", "keep the table");
        new Inbox(home.inboxFile(), clock).act(Inbox.Request.of(urgent, Action.RESUME, Source.PHONE));
        List<String> editor = c.view(live(), SIZE, Fixtures.NOW).overlay().orElseThrow().lines().stream()
                .map(p -> p.line().text()).toList();
        String reason = urgent + " is no longer open: Resumed from the phone at " + CLOCK_TIME.format(clock.instant());
        assertTrue(editor.contains(reason), editor.toString());

        press(c, KeyType.Enter);
        assertTrue(footer(c, live()).endsWith(reason), footer(c, live()));
        assertEquals(List.of(Action.RESUME), item(urgent).history().stream().map(Item.Entry::action).toList());
        assertEquals(ConsoleMode.INBOX, c.mode());
    }

    @Test
    void a_key_the_item_does_not_take_touches_nothing_and_says_what_it_takes() {
        ConsoleController c = console(this::live);
        byte[] before = readInbox();
        press(c, "i", "j", "r");
        assertTrue(footer(c, live()).endsWith(stuck + " (stuck_queue) does not take resume; it takes ack, snooze, resolve"),
                footer(c, live()));
        press(c, "a");
        assertEquals(ConsoleMode.INBOX, c.mode(), "no editor for an item that takes no answer");
        assertArrayEquals(before, readInbox());
    }

    @Test
    void x_resolves_and_the_item_leaves_the_list_and_esc_closes_the_inbox() {
        ConsoleController c = console(this::live);
        press(c, "i", "x");
        assertEquals(Item.State.RESOLVED, item(urgent).state());
        assertEquals("Resolved from the console at " + CLOCK_TIME.format(clock.instant()), item(urgent).resolution().orElseThrow());
        List<String> window = c.view(live(), SIZE, Fixtures.NOW).overlay().orElseThrow().lines().stream()
                .map(p -> p.line().text()).toList();
        assertFalse(window.stream().anyMatch(l -> l.contains(urgent)), window.toString());
        press(c, "x");
        press(c, KeyType.Escape);
        assertEquals(ConsoleMode.NORMAL, c.mode());
        press(c, "i");
        assertEquals(List.of("Nothing needs you.", "Esc Close  "),
                c.view(live(), SIZE, Fixtures.NOW).overlay().orElseThrow().lines().stream().map(p -> p.line().text()).toList());
        press(c, "c");
        assertTrue(footer(c, live()).endsWith("Nothing needs you."), footer(c, live()));
        press(c, "q");
        assertEquals(ConsoleMode.NORMAL, c.mode());
    }

    @Test
    void the_footer_counts_the_items_nobody_has_seen_red_while_one_is_urgent() {
        ConsoleController c = console(this::live);
        Line line = lastLine(c);
        assertTrue(line.text().startsWith("  inbox 2  o Override"), line.text());
        assertEquals(Style.NEEDS_JC, line.spans().get(1).style());
        press(c, "i", "c", KeyType.Escape);
        clock.advance(Duration.ofSeconds(11));   // the message is gone
        Line after = lastLine(c);
        assertTrue(after.text().startsWith("  inbox 1  o Override"), after.text());
        assertEquals(Style.NOTICE, after.spans().get(1).style(), "the urgent item is acknowledged: no more red");
        new Inbox(home.inboxFile(), clock).act(Inbox.Request.of(stuck, Action.ACK, Source.CLI));
        assertTrue(lastLine(c).text().startsWith(" o Override"), "nothing unseen: no count");
    }

    private Line lastLine(ConsoleController c) {
        List<ConsoleView.Placed> lines = c.view(live(), SIZE, clock.instant()).lines();
        return lines.get(lines.size() - 1).line();
    }

    @Test
    void a_resume_with_no_relay_running_says_it_waits_for_one() {
        ConsoleController c = console(() -> Fixtures.withInbox(Fixtures.nothing(), inbox.read()));
        press(c, "i", "r");
        assertEquals(Item.State.RESOLVED, item(urgent).state());
        assertTrue(footer(c, Fixtures.nothing()).endsWith(urgent + ": resumed (no relay is running: it waits for one)"),
                footer(c, Fixtures.nothing()));
    }

    @Test
    void the_status_pane_says_since_when_the_phone_is_unreachable_while_a_relay_is_live() {
        Fixtures.phoneUnreachable(home.inboxFile(), Fixtures.local(9, 41, 0), "connect timed out");
        HomeSnapshot s = live();
        List<String> status = Panes.status(s, ConsoleHost.IN_PROCESS, 70, Fixtures.NOW).stream().map(Line::text).toList();
        assertTrue(status.contains("phone unreachable since 09:41 (connect timed out)"),
                status.toString());
        HomeSnapshot stopped = Fixtures.withInbox(Fixtures.nothing(), s.inbox());
        assertFalse(Panes.status(stopped, ConsoleHost.ATTACHED_TO_DAEMON, 70, Fixtures.NOW).stream()
                .anyMatch(l -> l.text().contains("phone unreachable")), "no relay, nothing pushes: nothing to say");
    }

    /** The whole console, attached to a home with no relay: it reads the inbox with the rest and acts on it. */
    @Test
    void an_attached_console_with_no_relay_acts_on_the_inbox_file() {
        try (ConsoleDriver console = new ConsoleDriver(home, List.of("s1"), ConsoleHost.ATTACHED_TO_DAEMON, 120, 40)) {
            console.awaitText(" inbox 2 ");
            console.press('i');
            console.awaitText("Inbox · 2 open");
            console.awaitText("Shall I drop the legacy table?");
            console.press('c');
            Await.until("the item acknowledged in the file", () -> item(urgent).state() == Item.State.ACKNOWLEDGED);
            assertEquals(Source.CONSOLE, last(item(urgent)).source());
            console.awaitText(urgent + ": acknowledged");
            console.awaitText("Inbox · 2 open, 1 not seen");   // read back from the file by the monitor

            inbox.raise(new Raise(Kind.RELAY_ERROR, Severity.URGENT, "relay_error", Optional.empty(),
                    "The Messages API fails", "HTTP 529 overloaded_error, 3 times"));
            console.awaitText("Inbox · 3 open, 2 not seen");
            console.awaitText("The Messages API fails");
        }
    }

    private byte[] readInbox() {
        try {
            return Files.readAllBytes(home.inboxFile());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
