package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.core.Home;
import dev.relay.files.AtomicFiles;
import dev.relay.monitor.FileOperatorActions;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.QueueItems;
import dev.relay.testing.ManualClock;
import dev.relay.trail.Trail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue window in the console: what waits in a real home in a temporary directory, cancelled and edited through
 * {@link QueueItems} as the console, refused once taken, and each message's trace from state/trail.jsonl.
 */
class ConsoleQueueTest {
    private static final TerminalSize SIZE = new TerminalSize(120, 40);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Home home;
    ManualClock clock;
    Path first;
    Path second;

    @BeforeEach
    void twoEnvelopes() throws IOException {
        home = new Home(dir);
        clock = new ManualClock(Fixtures.NOW);
        first = envelope("1795000000000-backend-000001.json", "backend", "Migrations are done; shall I drop the legacy table?",
                null, 180);
        second = envelope("1795000000001-frontend-000002.json", "frontend", "Login page ready for review.", null, 45);
    }

    /** An envelope under a fixed name (so that its id is fixed), queued {@code agoSeconds} before now. */
    private Path envelope(String name, String session, String content, String id, long agoSeconds) throws IOException {
        Map<String, String> fields = id == null ? Map.of("session_id", session, "content", content)
                : Map.of("session_id", session, "content", content, "id", id);
        AtomicFiles.ensurePrivateDirectory(home.queueDir());
        Path file = home.queueDir().resolve(name);
        Files.writeString(file, JSON.writeValueAsString(fields));
        Files.setLastModifiedTime(file, FileTime.from(Fixtures.NOW.minusSeconds(agoSeconds)));
        return file;
    }

    /** A coordinator turn answering the envelope of this key: from then on it is taken. */
    private void answering(String key) {
        AtomicFiles.ensurePrivateDirectory(home.stateDir());
        try (ConversationStore store = ConversationStore.open(home.conversationFile()).store()) {
            store.append(Turn.user("backend", "whatever", key, Fixtures.NOW));
        }
    }

    private ConsoleController console() {
        return new ConsoleController(new FileOperatorActions(home, clock), Fixtures::busy, clock,
                ConsoleHost.ATTACHED_TO_DAEMON, () -> { }, a -> { });
    }

    private static void press(ConsoleController c, Object... keys) {
        for (Object k : keys) {
            if (k instanceof String s) {
                s.chars().forEach(ch -> c.handle(new KeyStroke((char) ch, false, false)));
            } else if (k instanceof KeyType t) {
                c.handle(new KeyStroke(t));
            } else {
                c.handle((KeyStroke) k);
            }
        }
    }

    private static String footer(ConsoleController c) {
        List<ConsoleView.Placed> lines = c.view(Fixtures.busy(), SIZE, Fixtures.NOW).lines();
        return lines.get(lines.size() - 1).line().text();
    }

    private static String window(ConsoleController c) {
        ConsoleView.Window w = c.view(Fixtures.busy(), SIZE, Fixtures.NOW).overlay().orElseThrow();
        StringBuilder b = new StringBuilder(w.title()).append('\n');
        w.lines().forEach(p -> b.append(p.line().text()).append('\n'));
        return b.toString();
    }

    private String id(Path file) {
        return new QueueItems(home, FileOperatorActions.DEFAULT_MAX_ENVELOPE_BYTES, clock).idOf(QueueItems.Kind.ENVELOPE, file);
    }

    @Test
    void w_lists_what_waits_oldest_first_and_esc_or_q_closes_it() {
        ConsoleController c = console();
        press(c, "w");
        assertEquals(ConsoleMode.QUEUE, c.mode());
        String w = window(c);
        assertTrue(w.startsWith("Queue · 2 waiting · ↑↓ select"), w);
        assertTrue(w.indexOf(id(first)) < w.indexOf(id(second)), "the oldest first\n" + w);
        assertTrue(w.contains("backend") && w.contains("3m") && w.contains("Migrations are done"), w);
        press(c, KeyType.Escape);
        assertEquals(ConsoleMode.NORMAL, c.mode());
        press(c, "w", "q");
        assertEquals(ConsoleMode.NORMAL, c.mode());
    }

    @Test
    void x_asks_first_n_keeps_the_message_and_y_cancels_it_into_queue_cancelled() {
        ConsoleController c = console();
        press(c, "w", "x");
        assertEquals(ConsoleMode.CONFIRM_CANCEL, c.mode());
        assertTrue(window(c).contains("Cancel " + id(first) + " (envelope for backend)?  y Cancel it  n Keep"), window(c));
        press(c, "n");
        assertEquals(ConsoleMode.QUEUE, c.mode());
        assertTrue(Files.exists(first), "kept");

        press(c, "x", "y");
        assertEquals(ConsoleMode.QUEUE, c.mode());
        assertFalse(Files.exists(first));
        assertTrue(Files.exists(home.queueDir().resolve(".cancelled").resolve(first.getFileName())), "moved aside");
        assertEquals(" " + id(first) + ": cancelled", footer(c));
        assertTrue(window(c).startsWith("Queue · 1 waiting\n"), "the list is read again\n" + window(c));
        assertTrue(Files.exists(second), "only the selected message");
    }

    @Test
    void e_opens_the_editor_on_the_message_and_enter_replaces_its_text_keeping_the_original() throws IOException {
        ConsoleController c = console();
        press(c, "w", "j", "e");
        assertEquals(ConsoleMode.EDIT_WAITING, c.mode());
        assertEquals("Login page ready for review.", c.waitingEditor().text(), "prefilled with the message's text");
        assertTrue(window(c).startsWith("Edit " + id(second) + ": the envelope for frontend"), window(c));
        press(c, " Also check the logout button.", KeyType.Enter);

        assertEquals(ConsoleMode.QUEUE, c.mode());
        assertEquals("Login page ready for review. Also check the logout button.",
                JSON.readTree(Files.readString(second)).get("content").asText());
        assertEquals("frontend", JSON.readTree(Files.readString(second)).get("session_id").asText());
        Path kept = home.queueDir().resolve(".edited").resolve(second.getFileName());
        assertEquals("Login page ready for review.", JSON.readTree(Files.readString(kept)).get("content").asText());
        assertEquals(" " + id(second) + ": edited (the original is kept)", footer(c));
        assertEquals("Migrations are done; shall I drop the legacy table?",
                JSON.readTree(Files.readString(first)).get("content").asText(), "only the selected message");
    }

    @Test
    void esc_leaves_the_editor_without_changing_the_message_and_e_finds_the_typed_text_again() throws IOException {
        ConsoleController c = console();
        String before = Files.readString(first);
        press(c, "w", "e", "!!", KeyType.Escape);
        assertEquals(ConsoleMode.QUEUE, c.mode());
        assertEquals(before, Files.readString(first));
        press(c, "e");
        assertEquals("Migrations are done; shall I drop the legacy table?!!", c.waitingEditor().text());
    }

    @Test
    void a_taken_message_is_marked_offers_no_change_and_refuses_with_the_reason() throws IOException {
        Path taken = envelope("1795000000002-backend-000003.json", "backend", "Run the nightly build.", "k9", 20);
        answering("id:backend:k9");
        ConsoleController c = console();
        press(c, "w", "j", "j");
        String w = window(c);
        assertTrue(w.startsWith("Queue · 3 waiting, 1 taken"), w);
        assertTrue(w.contains("taken · Run the nightly build."), w);
        assertTrue(w.contains("taken: a coordinator turn is answering it; it can no longer be changed"), w);
        assertFalse(w.contains("x Cancel") || w.contains("e Edit"), "no change offered\n" + w);

        press(c, "x");
        assertEquals(ConsoleMode.QUEUE, c.mode(), "no confirmation for what cannot be cancelled");
        assertEquals(" " + id(taken) + " is already taken (a coordinator turn is answering it): it can no longer be changed",
                footer(c));
        press(c, "e");
        assertEquals(ConsoleMode.QUEUE, c.mode());
        assertTrue(Files.exists(taken));
    }

    @Test
    void a_message_taken_while_the_cancel_is_asked_is_refused_by_the_queue_with_its_reason() throws IOException {
        Path later = envelope("1795000000002-backend-000003.json", "backend", "Run the nightly build.", "k9", 20);
        ConsoleController c = console();
        press(c, "w", "j", "j", "x");
        assertEquals(ConsoleMode.CONFIRM_CANCEL, c.mode());
        answering("id:backend:k9");
        press(c, "y");
        assertTrue(Files.exists(later), "still where the relay reads it");
        assertEquals(" " + id(later) + " is already taken (a coordinator turn is answering it): it can no longer be changed",
                footer(c));
    }

    @Test
    void t_shows_the_selected_messages_trace_and_hides_it_again() {
        trail();
        ConsoleController c = console();
        press(c, "w", "t");
        String w = window(c);
        assertTrue(w.contains("trace of 1795000000000-backend-000001"), w);
        assertTrue(w.contains("queued     by cli (backend): Migrations are done"), w);
        assertTrue(w.contains("edited     by operator (backend): Migrations are done; shall I drop the legacy table?"), w);
        press(c, "j");
        assertTrue(window(c).contains("no step recorded yet"), "the trace follows the selection\n" + window(c));
        press(c, "t");
        assertFalse(window(c).contains("trace of"), window(c));
    }

    /** A message done before the console opened: queued, taken, answered, then dispatched and read by its reply. */
    private static final String DONE = "1794999990000-backend-000000";

    private void doneTrail() {
        try (Trail t = new Trail(home.trailFile())) {
            t.append(new Trail.Step(Fixtures.NOW.minusSeconds(900).toString(), "queued", DONE, "backend", null, "cli",
                    "Is the staging database back?"));
            t.append(new Trail.Step(Fixtures.NOW.minusSeconds(890).toString(), "taken", DONE, "backend", null, "coordinator",
                    null));
            t.append(new Trail.Step(Fixtures.NOW.minusSeconds(880).toString(), "answered", DONE, "backend", "d1e2f3",
                    "coordinator", "Yes, since 07:40."));
            t.append(new Trail.Step(Fixtures.NOW.minusSeconds(870).toString(), "dispatched", null, "backend", "d1e2f3",
                    "relay", null));
            t.append(new Trail.Step(Fixtures.NOW.minusSeconds(600).toString(), "read", null, "backend", "d1e2f3",
                    "backend", null));
        }
    }

    private static String clock(java.time.Instant at) {
        return java.time.format.DateTimeFormatter.ofPattern("HH:mm").withZone(java.time.ZoneId.systemDefault()).format(at);
    }

    @Test
    void a_message_no_longer_waiting_is_listed_under_recent_with_its_last_step_and_t_shows_its_whole_trace() {
        doneTrail();
        ConsoleController c = console();
        press(c, "w");
        String w = window(c);
        assertTrue(w.startsWith("Queue · 2 waiting · ↑↓ select"), w);
        assertTrue(w.indexOf(id(second)) < w.indexOf("Recent"), "under the waiting ones\n" + w);
        String read = "read " + clock(Fixtures.NOW.minusSeconds(600));
        assertTrue(w.contains(" " + DONE) && w.contains(read), w);
        assertEquals(1, w.split(DONE, -1).length - 1, "one row, the dispatch and the read joined to it\n" + w);

        press(c, "j", "j");
        w = window(c);
        assertTrue(w.contains(DONE + "  for backend, last " + read + " (10m ago)"), w);
        assertFalse(w.contains("x Cancel") || w.contains("e Edit"), "no change offered\n" + w);
        press(c, "t");
        w = window(c);
        assertTrue(w.contains("trace of " + DONE), w);
        for (String step : List.of("queued     by cli (backend): Is the staging database back?", "taken      by coordinator",
                "answered   by coordinator (backend): Yes, since 07:40.", "dispatched by relay", "read       by backend")) {
            assertTrue(w.contains(step), step + "\n" + w);
        }

        press(c, "x");
        assertEquals(ConsoleMode.QUEUE, c.mode(), "no confirmation for what is done");
        assertEquals(" " + DONE + " no longer waits (" + read + "): it can no longer be changed", footer(c));
        press(c, "e");
        assertEquals(ConsoleMode.QUEUE, c.mode());
        assertTrue(Files.exists(first) && Files.exists(second), "nothing changed");
        assertFalse(Files.exists(home.queueDir().resolve(".cancelled")));
        press(c, "k", "k");
        assertTrue(window(c).contains("trace of 1795000000000-backend-000001"), "back to the waiting ones\n" + window(c));
    }

    @Test
    void the_window_opens_on_recent_messages_when_nothing_waits() throws IOException {
        doneTrail();
        Files.delete(first);
        Files.delete(second);
        ConsoleController c = console();
        press(c, "w");
        String w = window(c);
        assertTrue(w.startsWith("Queue · nothing waits\n"), w);
        assertTrue(w.contains("Recent") && w.contains(DONE + "  for backend"), w);
        press(c, "x");
        assertEquals(ConsoleMode.QUEUE, c.mode());
        assertTrue(footer(c).contains("no longer waits"), footer(c));
    }

    @Test
    void the_queue_window_with_a_recent_message_traced_is_the_expected_screen() throws IOException {
        doneTrail();
        String drawn = draw(120, 40, "w", "j", "j", "t");
        Path out = Path.of("target/frames/queue-recent.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, drawn);
        assertEquals(ConsoleFrameTest.expected("queue-recent"), drawn, "frame queue-recent (drawn into " + out + ")");
    }

    private void trail() {
        String name = "1795000000000-backend-000001";
        try (Trail t = new Trail(home.trailFile())) {
            t.append(new Trail.Step(Fixtures.NOW.minusSeconds(180).toString(), "queued", name, "backend", null, "cli",
                    "Migrations are done; shall I drop"));
            t.append(new Trail.Step(Fixtures.NOW.minusSeconds(90).toString(), "edited", name, "backend", null, "operator",
                    "Migrations are done; shall I drop the legacy table?"));
            t.append(new Trail.Step(Fixtures.NOW.minusSeconds(60).toString(), "queued", "someone-else", "frontend", null,
                    "cli", "not this one"));
        }
    }

    @Test
    void the_queue_window_with_two_envelopes_and_a_trace_is_the_expected_screen() throws IOException {
        trail();
        String drawn = draw(120, 40, "w", "t");
        Path out = Path.of("target/frames/queue-trace.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, drawn);
        assertEquals(ConsoleFrameTest.expected("queue-trace"), drawn, "frame queue-trace (drawn into " + out + ")");
    }

    private String draw(int columns, int rows, Object... keys) throws IOException {
        DefaultVirtualTerminal terminal = new DefaultVirtualTerminal(new TerminalSize(columns, rows));
        TerminalScreen screen = new TerminalScreen(terminal);
        screen.startScreen();
        ConsoleController c = console();
        HomeSnapshot s = Fixtures.busy();
        c.layOut(s, screen.getTerminalSize(), Fixtures.NOW);
        press(c, keys);
        ConsoleView view = c.view(s, screen.getTerminalSize(), Fixtures.NOW);
        ConsoleRenderer.draw(screen.newTextGraphics(), view);
        TerminalPosition cursor = view.cursor().orElse(null);
        screen.setCursorPosition(cursor);
        screen.refresh(Screen.RefreshType.COMPLETE);
        return ConsoleFrameTest.text(terminal, cursor);
    }
}
