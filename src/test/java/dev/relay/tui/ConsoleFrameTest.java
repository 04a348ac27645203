package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import dev.relay.inbox.Inbox;
import dev.relay.monitor.HomeSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole frames: a fixed home on a fixed clock, some keys, one frame drawn on lanterna's virtual terminal and compared
 * with the expected screen under src/test/resources/dev/relay/tui/frames/ (trailing blanks cut, the cursor last).
 */
class ConsoleFrameTest {
    record Scenario(String name, HomeSnapshot home, int columns, int rows, boolean inProcess, boolean failing,
                    List<KeyStroke> keys) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Scenario at(String name, HomeSnapshot home, int columns, int rows, Object... keys) {
        return new Scenario(name, home, columns, rows, true, false, strokes(keys));
    }

    private static List<KeyStroke> strokes(Object... keys) {
        List<KeyStroke> out = new ArrayList<>();
        for (Object k : keys) {
            if (k instanceof String s) {
                s.chars().forEach(c -> out.add(new KeyStroke((char) c, false, false)));
            } else if (k instanceof KeyType t) {
                out.add(new KeyStroke(t));
            } else {
                out.add((KeyStroke) k);
            }
        }
        return out;
    }

    /** The two items of {@link Fixtures#twoItems}, in a file of their own. */
    static Inbox.Data twoItems() {
        try {
            Path file = Files.createTempDirectory("relay-frames").resolve("state/inbox.json");
            return Fixtures.twoItems(file).read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Scenario> scenarios() {
        HomeSnapshot busy = Fixtures.busy();
        HomeSnapshot inbox = Fixtures.withInbox(busy, twoItems());
        return Stream.of(
                at("inbox-footer", inbox, 100, 30),
                at("inbox", inbox, 120, 40, "i"),
                at("inbox-second", inbox, 120, 40, "i", "j"),
                at("inbox-narrow", inbox, 80, 24, "i"),
                at("inbox-empty", busy, 100, 30, "i"),
                at("queue-empty", busy, 100, 30, "w"),
                at("inbox-answer", inbox, 100, 30, "i", KeyType.Enter, "yes, drop it"),
                at("wide", busy, 200, 50),
                at("narrow", busy, 80, 24),
                at("medium", busy, 120, 40),
                at("help", busy, 120, 40, "?"),
                at("help-scrolled", busy, 100, 24, "?", KeyType.ArrowDown, KeyType.ArrowDown, KeyType.PageDown,
                        KeyType.PageDown, KeyType.ArrowUp),
                at("confirm-quit", busy, 100, 30, "q"),
                new Scenario("confirm-quit-daemon", busy, 100, 30, false, false, strokes("q")),
                at("picker", busy, 100, 30, "a", KeyType.ArrowDown, KeyType.ArrowDown),
                at("editor", busy, 100, 30, "o", "Stop the refactor.", new KeyStroke(KeyType.Enter, false, true),
                        "Fix the build", KeyType.ArrowLeft),
                at("editor-sessions", busy, 100, 30, "o", KeyType.Tab),
                at("editor-direct", busy, 100, 30, "o", "@ba", KeyType.Tab, "rebase on main"),
                at("agent-chat", busy, 100, 30, "a", KeyType.ArrowDown, KeyType.Enter, "please add a logout button"),
                at("agent-chat-help", busy, 100, 30, "a", KeyType.ArrowDown, KeyType.Enter, "?"),
                at("container-agent", Fixtures.containerAgent(), 100, 30, "a", KeyType.ArrowUp, KeyType.Enter),
                at("paused", Fixtures.paused(), 120, 40),
                at("error", Fixtures.error(), 120, 40),
                at("needs-jc", Fixtures.needsJc(), 120, 40),
                at("needs-jc-wide", Fixtures.needsJc(), 200, 50),
                new Scenario("stopped-daemon", Fixtures.nothing(), 80, 24, false, false, List.of()),
                at("scrolled-to-top", busy, 80, 24, KeyType.Home),
                at("logs-focused-paged", busy, 80, 24, KeyType.Tab, KeyType.PageUp),
                at("flash-after-pause", busy, 100, 30, "p"),
                new Scenario("action-failed", busy, 100, 30, true, true, strokes("o", "hi", KeyType.Enter)),
                new Scenario("action-refused", busy, 100, 30, true, true, strokes("p")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void the_frame_is_the_expected_screen(Scenario scenario) throws IOException {
        String drawn = frame(scenario);
        Path out = Path.of("target/frames", scenario.name() + ".txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, drawn);
        assertEquals(expected(scenario.name()), drawn, "frame " + scenario.name() + " (drawn into " + out + ")");
    }

    // ---- what the end-to-end console tests once checked, here on one frame from a fixed snapshot ---------------

    private static void assertShows(String screen, String... shown) {
        for (String what : shown) {
            assertTrue(screen.contains(what), "\"" + what + "\" in\n" + screen);
        }
    }

    @Test
    void each_pane_shows_its_data() throws IOException {
        // a paused relay with an envelope waiting, a reply held for its session, a rejected envelope, turns and a log
        String screen = draw(at("paused", Fixtures.paused(), 120, 40)).text();
        assertShows(screen, "PAUSED",
                "frontend", "login page ready", "frontend      12s   512B login page ready", // queue: waiting envelope
                "→ backend",                                          // queue: reply held for a session
                "✗ broken.json",                                      // queue: rejected, with its reason
                "is not valid JSON",
                "Thanks. Please add a logout button next.",           // conversation: the coordinator's reply
                "coordinator",
                "model claude-sonnet",                                // status
                "frontend    file",                                   // status: sessions with their state
                "WARN rejected broken.json",                          // relay log
                "Queue (3)",
                "cost $");
    }

    @Test
    void a_failed_and_a_blocked_session_show_why_in_the_status_pane() throws IOException {
        Drawn medium = draw(at("medium", Fixtures.busy(), 120, 40));
        assertShows(medium.text(), "failed: authentication_failed");
        assertEquals(TextColor.ANSI.RED_BRIGHT, medium.at(medium.find("failed: authentication_failed")).getForegroundColor());
        Drawn wider = draw(at("160x40", Fixtures.busy(), 160, 40));
        assertShows(wider.text(), "blocked: refusing to write");
        assertEquals(TextColor.ANSI.RED_BRIGHT, wider.at(wider.find("blocked: refusing to write")).getForegroundColor());
    }

    private static String rowOf(Drawn d, String title) {
        return d.rows().stream().filter(r -> r.contains(" " + title)).findFirst()
                .orElseThrow(() -> new AssertionError("no pane titled " + title + " in\n" + d.text()));
    }

    @Test
    void tab_moves_the_focus_and_the_arrows_scroll_the_focused_pane() throws IOException {
        String newest = "Thanks. Please add a logout button next.";
        Drawn first = draw(at("narrow", Fixtures.busy(), 80, 24));
        assertTrue(rowOf(first, "Conversation").startsWith("┏"), "the conversation has the focus at first");
        assertShows(first.text(), newest, "above");     // following the newest: older turns are above

        String top = draw(at("top", Fixtures.busy(), 80, 24, KeyType.Home)).text();
        assertShows(top, "Earlier: the team agreed on the schema", "End follows");
        assertFalse(top.contains(newest), top);
        String back = draw(at("back", Fixtures.busy(), 80, 24, KeyType.Home, KeyType.PageDown, KeyType.ArrowDown,
                KeyType.End)).text();
        assertShows(back, newest);

        Drawn logs = draw(at("logs", Fixtures.busy(), 80, 24, KeyType.Tab));
        assertTrue(rowOf(logs, "Relay log").startsWith("┏"), "the logs pane has the focus\n" + logs.text());
        assertTrue(rowOf(logs, "Conversation").startsWith("┌"), logs.text());
        Drawn again = draw(at("again", Fixtures.busy(), 80, 24, KeyType.Tab, KeyType.ReverseTab));
        assertTrue(rowOf(again, "Conversation").startsWith("┏"), "the conversation has the focus again\n" + again.text());
    }

    @Test
    void question_mark_shows_every_key_from_the_table() throws IOException {
        String screen = draw(at("help", Fixtures.busy(), 120, 60, "?")).text();
        assertShows(screen, "Keys · any key closes");
        for (KeyBinding b : KeyTables.table(ConsoleMode.NORMAL)) {
            assertTrue(screen.contains(b.help()), "help lists " + b.key().label() + "\n" + screen);
        }
        String closed = draw(at("closed", Fixtures.busy(), 120, 60, "?", "x")).text();
        assertFalse(closed.contains("Keys · any key closes"), closed);
    }

    @Test
    void text_from_agents_cannot_drive_the_terminal() throws IOException {
        String evil = "evil \u001B[2J\u001B]0;owned\u0007 bell\u0007 text";
        HomeSnapshot b = Fixtures.busy();
        List<Turn> turns = List.of(Turn.user("backend", evil, "id:e1", Fixtures.local(9, 59, 0)),
                Turn.assistant("reply to: [session backend] " + evil, "id:e1", Fixtures.local(9, 59, 2), Usage.NONE));
        HomeSnapshot s = new HomeSnapshot(b.version(), b.at(), b.status(), true, List.of(), 0, List.of(), 0, List.of(),
                turns, b.log(), b.sessions(), java.util.Optional.empty(), b.agentStates(), List.of(), java.util.Optional.empty(), b.inbox());
        String screen = draw(at("evil", s, 100, 30)).text();
        assertShows(screen, "evil");
        assertFalse(screen.chars().anyMatch(c -> c == 0x1B || c == 0x07), screen);
        assertShows(screen, "evil  bell· text");
    }

    @Test
    void a_failing_action_is_a_message_never_a_stack_trace() throws IOException {
        String refused = draw(new Scenario("refused", Fixtures.busy(), 100, 30, true, true, strokes("p"))).text();
        assertShows(refused, "cannot pause now");
        String failed = draw(new Scenario("failed", Fixtures.busy(), 100, 30, true, true,
                strokes("p", "o", "hi", KeyType.Enter))).text();
        assertShows(failed, "that did not work: disk full",
                "console: that did not work: disk full");   // kept in the status pane
        for (String screen : List.of(refused, failed)) {
            assertFalse(screen.contains("Exception") || screen.contains("at dev.relay"), screen);
        }
    }

    static String expected(String name) throws IOException {
        try (InputStream in = ConsoleFrameTest.class.getResourceAsStream("frames/" + name + ".txt")) {
            if (in == null) {
                throw new AssertionError("no expected frame frames/" + name + ".txt");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** One frame of the console after the scenario's keys, as text. */
    static String frame(Scenario sc) throws IOException {
        return draw(sc).text();
    }

    /** A frame as lanterna's virtual terminal holds it: characters with their colours, and the cursor. */
    record Drawn(DefaultVirtualTerminal terminal, TerminalPosition cursor) {
        String text() {
            return ConsoleFrameTest.text(terminal, cursor);
        }

        List<String> rows() {
            return List.of(text().split("\n"));
        }

        /** The row and column of the first place {@code what} is drawn. */
        TerminalPosition find(String what) {
            List<String> rows = rows();
            for (int r = 0; r < rows.size(); r++) {
                int c = rows.get(r).indexOf(what);
                if (c >= 0) {
                    return new TerminalPosition(c, r);
                }
            }
            throw new AssertionError("\"" + what + "\" is not drawn in\n" + text());
        }

        TextCharacter at(TerminalPosition p) {
            return terminal.getCharacter(p.getColumn(), p.getRow());
        }
    }

    static Drawn draw(Scenario sc) throws IOException {
        DefaultVirtualTerminal terminal = new DefaultVirtualTerminal(new TerminalSize(sc.columns(), sc.rows()));
        TerminalScreen screen = new TerminalScreen(terminal);
        screen.startScreen();
        ConsoleController c = new ConsoleController(sc.failing() ? new Fixtures.Failing() : new Fixtures.Actions(),
                sc::home, Fixtures.CLOCK, sc.inProcess() ? ConsoleHost.IN_PROCESS : ConsoleHost.ATTACHED_TO_DAEMON,
                () -> { }, a -> { });
        TerminalSize size = screen.getTerminalSize();
        c.layOut(sc.home(), size, Fixtures.NOW);
        for (KeyStroke k : sc.keys()) {
            c.handle(k);
        }
        ConsoleView view = c.view(sc.home(), size, Fixtures.NOW);
        ConsoleRenderer.draw(screen.newTextGraphics(), view);
        TerminalPosition cursor = view.cursor().orElse(null);
        screen.setCursorPosition(cursor);
        screen.refresh(Screen.RefreshType.COMPLETE);
        return new Drawn(terminal, cursor);
    }

    static String text(DefaultVirtualTerminal terminal, TerminalPosition cursor) {
        TerminalSize size = terminal.getTerminalSize();
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < size.getRows(); r++) {
            StringBuilder row = new StringBuilder();
            for (int c = 0; c < size.getColumns(); c++) {
                TextCharacter ch = terminal.getCharacter(c, r);
                row.append(ch == null ? " " : ch.getCharacterString());
            }
            b.append(row.toString().stripTrailing()).append('\n');
        }
        b.append(cursor == null ? "cursor: hidden" : "cursor: " + cursor.getColumn() + "," + cursor.getRow()).append('\n');
        return b.toString();
    }
}
