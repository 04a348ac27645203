package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.tui.ConsoleView.PaneView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What keys do to the console's state, seen through the views it makes; no terminal, no loop. */
class ConsoleControllerTest {
    private static final TerminalSize SIZE = new TerminalSize(80, 24);
    private final HomeSnapshot home = Fixtures.busy();
    private final Fixtures.Actions actions = new Fixtures.Actions();
    private final List<Optional<String>> followed = new ArrayList<>();
    private int pokes;
    private final ConsoleController c = new ConsoleController(actions, () -> home, Fixtures.CLOCK, ConsoleHost.IN_PROCESS,
            () -> pokes++, followed::add);

    private void press(Object... keys) {
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

    private ConsoleView view() {
        return c.view(home, SIZE, Fixtures.NOW);
    }

    private PaneView pane(String title) {
        return view().panes().stream().filter(p -> p.title().startsWith(title)).findFirst().orElseThrow();
    }

    private String footer() {
        List<ConsoleView.Placed> lines = view().lines();
        return lines.get(lines.size() - 1).line().text();
    }

    @Test
    void the_layout_before_the_keys_gives_the_pages_they_scroll_by() {
        c.layOut(home, SIZE, Fixtures.NOW);
        PaneView following = pane("Conversation");
        assertEquals(" ↑ 16 above ", following.hint());
        press(KeyType.PageUp);                               // a page of 6 rows moves 5: one line stays in view
        PaneView up = pane("Conversation");
        assertEquals(" ↓ 5 more · End follows ", up.hint());
        assertEquals(Panes.conversation(home.turns(), 78).get(11).text(), up.visible().get(0).text());
        press(KeyType.Home);
        assertEquals("summary of the earlier conversation  09:00:00", pane("Conversation").visible().get(0).text());
        press(KeyType.PageDown, KeyType.ArrowDown);
        assertEquals(" ↓ 10 more · End follows ", pane("Conversation").hint());
        press(KeyType.End);
        assertEquals(" ↑ 16 above ", pane("Conversation").hint());
    }

    @Test
    void tab_moves_the_focus_through_the_panes_and_the_keys_scroll_the_focused_one() {
        c.layOut(home, SIZE, Fixtures.NOW);
        assertTrue(pane("Conversation").focused());
        press(KeyType.Tab);
        assertEquals(Pane.LOGS, c.focus());
        assertTrue(pane("Relay log").focused());
        assertFalse(pane("Conversation").focused());
        press(KeyType.Tab, KeyType.ArrowDown);
        assertEquals(Pane.STATUS, c.focus());
        assertEquals(" ↓ 5 more ", pane("Status").hint(), "the status pane does not follow: no End hint");
        assertTrue(pane("Status").visible().get(0).text().startsWith("model "), pane("Status").visible().toString());
        press(KeyType.ReverseTab, KeyType.ReverseTab);
        assertEquals(Pane.CONVERSATION, c.focus());
    }

    @Test
    void the_help_has_its_own_keys_and_any_other_closes_it() {
        TerminalSize small = new TerminalSize(100, 24);
        press("?");
        assertEquals(ConsoleMode.HELP, c.mode());
        for (int i = 0; i < 40; i++) {
            press(KeyType.ArrowDown);
        }
        c.layOut(home, small, Fixtures.NOW);
        int max = Overlays.helpMaxTop(small);
        assertEquals(Overlays.help(small, max), c.view(home, small, Fixtures.NOW).overlay().orElseThrow(),
                "scrolled no further than the last line");
        assertEquals(29, max);
        press(KeyType.PageUp, KeyType.PageUp, KeyType.PageUp, new KeyStroke(KeyType.ArrowDown, true, false));   // to the top, then down with Ctrl
        assertEquals(Overlays.help(small, 1), c.view(home, small, Fixtures.NOW).overlay().orElseThrow());
        press("x");
        assertEquals(ConsoleMode.NORMAL, c.mode());
        assertTrue(view().overlay().isEmpty());
    }

    @Test
    void q_asks_first_n_stays_and_y_quits() {
        press("q");
        assertEquals(ConsoleMode.CONFIRM_QUIT, c.mode());
        assertEquals("Quit the console?", view().overlay().orElseThrow().title());
        press("n");
        assertEquals(ConsoleMode.NORMAL, c.mode());
        press(new KeyStroke('c', true, false), "y");
        assertTrue(c.quitRequested());
    }

    @Test
    void q_asks_first_and_n_stays() {
        press("q");
        assertEquals("Quit the console?", view().overlay().orElseThrow().title());
        assertTrue(view().overlay().orElseThrow().lines().get(0).line().text().startsWith("The relay in this console stops"));
        press("n");
        assertTrue(view().overlay().isEmpty(), "the question is gone");
        assertFalse(c.quitRequested(), "the console goes on");
        press("q");
        assertEquals("Quit the console?", view().overlay().orElseThrow().title());
        press("y");
        assertTrue(c.quitRequested());
    }

    @Test
    void ctrl_s_and_ctrl_q_do_nothing_in_the_panes_nor_in_the_editor() {
        // the console turns the terminal's flow control off, so these reach it as keys (0x13, 0x11)
        KeyStroke ctrlS = new KeyStroke('s', true, false);
        KeyStroke ctrlQ = new KeyStroke('q', true, false);
        press(ctrlS, ctrlQ);
        assertEquals(ConsoleMode.NORMAL, c.mode());
        assertTrue(view().overlay().isEmpty(), "not asking to quit, nothing else open");
        press("o");    // still in the panes
        assertEquals("Override: the coordinator's next turn, as JC", view().overlay().orElseThrow().title());
        press("ab", ctrlS, ctrlQ, "c", KeyType.Enter);
        assertEquals(List.of("override abc"), actions.calls);
        assertEquals(" sent: the coordinator's next turn is yours", footer());
        assertFalse(c.quitRequested());
    }

    @Test
    void the_end_of_the_input_quits_at_once() {
        press(KeyType.EOF);
        assertTrue(c.quitRequested());
    }

    @Test
    void the_editor_sends_an_override_and_closes() {
        press("o", "Stop.\\", KeyType.Enter, "Then report.");
        assertEquals(ConsoleMode.EDIT_OVERRIDE, c.mode());
        assertTrue(view().cursor().isPresent());
        press(KeyType.Enter);
        assertEquals(List.of("override Stop.\nThen report."), actions.calls);
        assertEquals(ConsoleMode.NORMAL, c.mode());
        assertEquals(" sent: the coordinator's next turn is yours", footer());
        assertEquals(1, pokes);
        assertTrue(view().cursor().isEmpty());
    }

    @Test
    void tab_completes_a_session_and_the_message_goes_to_it_directly() {
        press("o", KeyType.Tab);
        assertEquals("sessions: backend  frontend  docs  infra  web", view().overlay().orElseThrow().lines().get(1).line().text());
        press("d", KeyType.Tab, "fix the link", KeyType.Enter);
        assertEquals(List.of("override @docs: fix the link"), actions.calls);
        assertEquals(" sent to docs directly", footer());
        press("o", "@x", KeyType.Tab);
        assertEquals(" no session starts with \"x\"", footer());
    }

    @Test
    void escape_keeps_the_text_and_an_empty_message_is_not_sent() {
        press("o", KeyType.Enter);
        assertEquals(" nothing to send: type a message, or Esc to close", footer());
        press("draft", KeyType.Escape);
        assertEquals(ConsoleMode.NORMAL, c.mode());
        assertEquals(" override not sent (the text is kept: o to go on)", footer());
        press("o");
        assertEquals("draft", view().overlay().orElseThrow().lines().get(0).line().text());
        assertEquals(List.of(), actions.calls);
    }

    @Test
    void attaching_follows_one_agent_and_what_is_typed_goes_to_it() {
        press("a", KeyType.ArrowDown, KeyType.ArrowDown, KeyType.ArrowUp);
        assertEquals(ConsoleMode.PICK_AGENT, c.mode());
        press(KeyType.Enter);
        assertEquals(ConsoleMode.AGENT_CHAT, c.mode());
        assertEquals(Optional.of("frontend"), c.attached());
        assertEquals(List.of(Optional.of("frontend")), followed);
        assertEquals(Pane.LOGS, c.focus());
        assertTrue(pane("Agent frontend (file session)").focused());
        press("add a logout button", KeyType.Enter);
        assertEquals(List.of("send frontend add a logout button"), actions.calls);
        assertEquals(" sent to frontend", footer());

        press("a?q");
        assertEquals(ConsoleMode.AGENT_CHAT, c.mode(), "the panes' keys are text for the agent");
        assertEquals("a?q", view().lines().get(1).line().text());
        press(new KeyStroke('c', true, false));
        assertEquals(ConsoleMode.NORMAL, c.mode());
        assertEquals(Optional.empty(), c.attached());
        assertEquals(Optional.empty(), followed.get(followed.size() - 1));
        assertTrue(pane("Relay log").focused());
        press("a", KeyType.Escape);
        assertEquals(ConsoleMode.NORMAL, c.mode(), "closing the picker goes back to the panes");
    }

    @Test
    void pause_and_resume_act_on_the_relay() {
        press("p");
        assertEquals(" pause requested", footer());
        press("r");
        assertEquals(" resume requested", footer());
        assertEquals(List.of("pause", "resume"), actions.calls);
        assertEquals(2, pokes);
    }

    @Test
    void a_refused_or_failed_action_is_a_message_and_stays_in_the_status_pane() {
        ConsoleController failing = new ConsoleController(new Fixtures.Failing(), () -> home, Fixtures.CLOCK,
                ConsoleHost.IN_PROCESS, () -> { }, a -> { });
        failing.handle(new KeyStroke('p', false, false));
        assertEquals(Optional.of("cannot pause now"), failing.flash().map(ConsoleController.Flash::text));
        for (char ch : "ohi".toCharArray()) {
            failing.handle(new KeyStroke(ch, false, false));
        }
        failing.handle(new KeyStroke(KeyType.Enter));
        String error = "that did not work: disk full (details in logs/relay.log)";
        assertEquals(Optional.of(error), failing.lastError().map(ConsoleController.Flash::text));
        ConsoleView v = failing.view(home, new TerminalSize(200, 50), Fixtures.NOW);
        PaneView status = v.panes().stream().filter(p -> p.title().equals("Status")).findFirst().orElseThrow();
        assertEquals("console: " + error, status.visible().get(1).text());
    }
}
