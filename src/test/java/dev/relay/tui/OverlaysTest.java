package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import dev.relay.inbox.Inbox;
import dev.relay.tui.ConsoleController.Flash;
import dev.relay.tui.ConsoleView.Placed;
import dev.relay.tui.ConsoleView.Window;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The windows, the footer and the agent's input line as placed lines, without a terminal. */
class OverlaysTest {
    private static final TerminalSize SIZE = new TerminalSize(100, 30);
    private static final Inbox.Data EMPTY = new Inbox.Data();

    private static List<String> texts(Window w) {
        return w.lines().stream().map(p -> p.line().text()).toList();
    }

    @Test
    void the_help_lists_every_key_of_the_tables_with_keys_of_one_text_on_one_row() {
        List<String> help = Overlays.helpLines().stream().map(Line::text).toList();
        assertEquals("Console", help.get(0));
        for (KeyBinding b : KeyTables.table(ConsoleMode.NORMAL)) {
            assertTrue(help.stream().anyMatch(l -> l.endsWith(b.help())), b.help());
        }
        assertTrue(help.contains("  q Ctrl-C           Quit the console (asks first)"), help.toString());
        assertTrue(help.contains("  ← → ↑ ↓ Home End   Move the cursor"), help.toString());
        int attached = help.indexOf("Attached to an agent (a); the scrolling keys work as above");
        assertEquals(List.of("  Enter              Send the line to the attached agent",
                "  Esc Ctrl-C         Stop following the agent",
                "  Backspace          Erase the character before the cursor",
                "  ← →                Move the cursor"), help.subList(attached + 1, help.size()),
                "the scrolling keys shown above are not repeated");
    }

    @Test
    void the_help_scrolls_only_when_it_does_not_fit() {
        Window tall = Overlays.help(new TerminalSize(120, 60), 0);
        assertEquals("Keys · any key closes", tall.title());
        assertEquals(0, Overlays.helpMaxTop(new TerminalSize(120, 60)));
        TerminalSize small = new TerminalSize(100, 24);
        Window top = Overlays.help(small, 0);
        assertEquals("Keys · ↑↓ scroll · any other key closes", top.title());
        assertEquals(20, top.lines().size());
        int max = Overlays.helpMaxTop(small);
        List<String> bottom = texts(Overlays.help(small, max));
        List<Line> all = Overlays.helpLines();
        assertEquals(all.get(all.size() - 1).text(), bottom.get(bottom.size() - 1), "the last line at the bottom");
        assertEquals(all.size() - max, bottom.size());
    }

    @Test
    void quitting_says_what_happens_to_the_relay() {
        Window here = Overlays.confirmQuit(SIZE, ConsoleHost.IN_PROCESS, Fixtures.busy());
        assertEquals("Quit the console?", here.title());
        assertEquals(List.of("The relay in this console stops. A turn in flight is", "finished at its next start: nothing is lost.",
                "y Quit  n Stay  "), texts(here));
        Window daemon = Overlays.confirmQuit(SIZE, ConsoleHost.ATTACHED_TO_DAEMON, Fixtures.busy());
        assertEquals("The relay (pid 4242) keeps running.", texts(daemon).get(0));
        assertEquals("The relay keeps running.",
                texts(Overlays.confirmQuit(SIZE, ConsoleHost.ATTACHED_TO_DAEMON, Fixtures.nothing())).get(0));
    }

    @Test
    void the_picker_lists_sessions_with_their_kind_and_keeps_the_selected_one_in_view() {
        Window w = Overlays.picker(SIZE, Fixtures.busy(), 2);
        assertEquals("Attach to an agent", w.title());
        assertEquals(" docs                     claude-code", texts(w).get(2).stripTrailing());
        assertEquals(Style.SELECTED, w.lines().get(2).line().spans().get(0).style());
        assertEquals(Style.AGENT, w.lines().get(1).line().spans().get(0).style());
        assertEquals(" Enter Attach  Esc Cancel  ", texts(w).get(texts(w).size() - 1));

        Window cramped = Overlays.picker(new TerminalSize(80, 8), Fixtures.busy(), 4);
        List<String> rows = texts(cramped);
        assertEquals(4, rows.size(), "three sessions and the keys fit");
        assertTrue(rows.get(2).startsWith(" web "), rows.toString());
        assertEquals(Style.SELECTED, cramped.lines().get(2).line().spans().get(0).style());
    }

    @Test
    void the_editor_names_its_addressee_hints_at_sessions_and_places_the_cursor() {
        TextEditor ed = new TextEditor();
        Window empty = Overlays.editor(SIZE, ed, List.of());
        assertEquals("Override: the coordinator's next turn, as JC", empty.title());
        assertTrue(texts(empty).contains("Start with @ and Tab to write to one agent."), texts(empty).toString());
        Rect r = empty.rect();
        assertEquals(new Rect(1, 21, 98, 8), r, "above the footer, a column of margin each side");
        assertEquals(Optional.of(new TerminalPosition(2, 22)), empty.cursor());

        ed.setText("@ba");
        Window typing = Overlays.editor(SIZE, ed, List.of("backend"));
        assertEquals("sessions: backend", texts(typing).get(1));
        ed.setText("@backend: rebase on main\nthen test");
        Window direct = Overlays.editor(SIZE, ed, List.of());
        assertEquals("Message straight to backend", direct.title());
        assertEquals(List.of("@backend: rebase on main", "then test", "", "Enter Send  Alt-Enter New line  Tab Complete  Esc Cancel  "),
                texts(direct));
        assertEquals(Optional.of(new TerminalPosition(11, 23)), direct.cursor());
    }

    @Test
    void the_editor_says_straight_to_a_session_only_for_what_the_relay_sends_straight() {
        TextEditor ed = new TextEditor();
        for (String text : new String[] {"@not a session: hi", "@backend : hi", " @backend: hi", "@bad.name: hi"}) {
            ed.setText(text);
            assertEquals("Override: the coordinator's next turn, as JC", Overlays.editor(SIZE, ed, List.of()).title(), text);
        }
        ed.setText("@backend:hi");
        assertEquals("Message straight to backend", Overlays.editor(SIZE, ed, List.of()).title());
    }

    @Test
    void a_long_editor_line_scrolls_sideways_to_keep_the_cursor_in_view() {
        TextEditor ed = new TextEditor();
        ed.setText("x".repeat(150));
        Window w = Overlays.editor(SIZE, ed, List.of());
        Placed first = w.lines().get(0);
        assertEquals(95, first.width());
        assertEquals("x".repeat(150 - 56), first.line().text(), "the first 56 columns scrolled out");
        assertEquals(Optional.of(new TerminalPosition(96, 22)), w.cursor(), "on the last column of the text");
    }

    @Test
    void the_agent_input_line_is_the_last_row_of_the_logs_pane() {
        Layout l = Layout.of(SIZE);
        TextEditor input = new TextEditor();
        input.insert("hello");
        Overlays.AgentInput in = Overlays.agentInput(l, "frontend", input);
        assertEquals(List.of(new Placed(0, 29 - 1, Line.of(Style.KEY, "to frontend> "), 100),
                new Placed(13, 28, Line.of(Style.INPUT, "hello"), 86)), in.lines());
        assertEquals(new TerminalPosition(18, 28), in.cursor());
        assertEquals(l.logs().row() + l.logs().height() - 1, in.lines().get(0).row());
    }

    @Test
    void the_footer_shows_a_message_while_it_lasts_else_the_keys_of_the_mode() {
        Flash sent = new Flash("sent to backend", Style.OK, Fixtures.NOW.plusSeconds(4));
        assertEquals(Line.of(Style.OK, " sent to backend"), Overlays.footer(ConsoleMode.NORMAL, Optional.of(sent), true, EMPTY));
        assertEquals(" o Override  p Pause  r Resume  a Attach  i Inbox  ? Help  q Quit  ",
                Overlays.footer(ConsoleMode.NORMAL, Optional.empty(), false, EMPTY).text());
        Line needsJc = Overlays.footer(ConsoleMode.NORMAL, Optional.empty(), true, EMPTY);
        assertEquals(" NEEDS JC  o Override  p Pause  r Resume  a Attach  i Inbox  ? Help  q Quit  ", needsJc.text());
        assertEquals(Style.NEEDS_JC, needsJc.spans().get(0).style());
        assertEquals(Overlays.footer(ConsoleMode.NORMAL, Optional.empty(), false, EMPTY).text(),
                Overlays.footer(ConsoleMode.HELP, Optional.empty(), true, EMPTY).text(), "under the help: the panes' keys");
        assertEquals(" Enter Send  Esc Detach  ", Overlays.footer(ConsoleMode.AGENT_CHAT, Optional.empty(), true, EMPTY).text());
    }
}
