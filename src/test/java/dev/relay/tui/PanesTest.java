package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.HomeSnapshot.LogLine;
import dev.relay.state.AgentState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each pane's lines from a fixed home, without a terminal. */
class PanesTest {
    private static List<String> texts(List<Line> lines) {
        return lines.stream().map(Line::text).toList();
    }

    private static Line lineWith(List<Line> lines, String text) {
        return lines.stream().filter(l -> l.text().contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with \"" + text + "\" in " + texts(lines)));
    }

    private static Style styleOf(Line line, String span) {
        return line.spans().stream().filter(s -> s.text().contains(span)).findFirst().orElseThrow().style();
    }

    @Test
    void the_queue_lists_envelopes_held_replies_and_rejections() {
        List<Line> q = Panes.queue(Fixtures.paused(), 60, Fixtures.NOW);
        assertEquals(List.of(
                "JC override waiting: Hold the deploy",
                "Envelopes waiting: 3",
                "frontend      12s   512B login page ready",
                "?              3s   2.0K (not yet readable)",
                "… and 1 more",
                "Replies waiting for their session:",
                "→ backend    1 held, input.txt unread  Good. Next: add the index",
                "Rejected (queue/.rejected/): 1",
                "✗ broken.json  is not valid JSON"), texts(q));
        assertEquals(Style.WARN, q.get(3).spans().get(0).style(), "an envelope not yet readable stands out");
    }

    @Test
    void an_empty_queue_says_how_envelopes_arrive() {
        assertEquals(List.of("Nothing waiting. Agents drop envelopes into queue/ (or use `relay send`)."),
                texts(Panes.queue(Fixtures.nothing(), 60, Fixtures.NOW)));
    }

    @Test
    void the_conversation_shows_who_spoke_when_and_wraps_the_text() {
        List<Line> c = Panes.conversation(Fixtures.turns(), 30);
        assertEquals("summary of the earlier conversation  09:00:00", c.get(0).text());
        assertEquals(Style.SUMMARY, c.get(1).spans().get(0).style());
        assertEquals("coordinator  09:41:15  1.2k tokens out", lineWith(c, "09:41:15").text());
        assertEquals(Style.OPERATOR, styleOf(lineWith(c, "JC (operator)"), "JC"));
        assertEquals("  login page ready", lineWith(c, "login page").text());
        assertEquals("  screenshots in", lineWith(c, "screenshots").text(), "wrapped to 30 columns less the indent");
        assertEquals(List.of("No conversation yet: the first envelope starts it."), texts(Panes.conversation(List.of(), 30)));
    }

    @Test
    void the_log_is_compacted_and_warnings_stand_out() {
        List<Line> log = Panes.log(Fixtures.log(), 80);
        assertEquals("08:59:58 relay started", log.get(0).text());
        assertEquals("09:55:01 WARN rejected broken.json: not JSON", log.get(2).text());
        assertEquals(Style.WARN, log.get(2).spans().get(0).style());
        assertEquals(List.of("The relay's log is empty."), texts(Panes.log(List.of(), 80)));
    }

    @Test
    void an_attached_file_session_shows_its_turns_its_log_lines_and_what_waits_for_it() {
        List<String> backend = texts(Panes.agent(Fixtures.busy(), "backend", 80, Fixtures.NOW));
        assertEquals(List.of(
                "backend  09:41:10", "  migrated the users table; all tests pass", "",
                "coordinator  09:41:15  1.2k tokens out", "  Good. Next: add the index on email, then report.", "",
                "09:41:15 reply to backend written",
                "waiting for backend: 1 reply held; dispatch/backend/input.txt not yet read"), backend);
        List<String> frontend = texts(Panes.agent(Fixtures.busy(), "frontend", 80, Fixtures.NOW));
        assertTrue(frontend.contains("09:58:06 [frontend] reply held"), frontend.toString());
        assertEquals("1 envelope from frontend queued", frontend.get(frontend.size() - 1));
        assertEquals(List.of("Nothing from or to infra yet."), texts(Panes.agent(Fixtures.busy(), "infra", 80, Fixtures.NOW)));
    }

    @Test
    void an_attached_container_agent_shows_its_output_with_stderr_told_apart() {
        List<Line> web = Panes.agent(Fixtures.containerAgent(), "web", 80, Fixtures.NOW);
        assertEquals(List.of("agent web: running", "09:00:01 compiling the login page", "09:00:02 warning: unused import"),
                texts(web));
        assertEquals(Style.NORMAL, web.get(1).spans().get(0).style());
        assertEquals(Style.WARN, web.get(2).spans().get(0).style());
        HomeSnapshot silent = Fixtures.busy();
        assertEquals(List.of("agent web: running", "No output yet (logs/agents/web.log)."),
                texts(Panes.agent(silent, "web", 80, Fixtures.NOW)));
    }

    @Test
    void the_status_names_the_relay_its_figures_and_each_session() {
        List<Line> st = Panes.status(Fixtures.busy(), ConsoleHost.IN_PROCESS, 70, Fixtures.NOW);
        assertEquals("● RUNNING  pid 4242, this console", st.get(0).text());
        assertEquals(Style.OK, st.get(0).spans().get(0).style());
        assertEquals("● RUNNING  attached to pid 4242",
                Panes.status(Fixtures.busy(), ConsoleHost.ATTACHED_TO_DAEMON, 70, Fixtures.NOW).get(0).text());
        assertEquals("model claude-sonnet-4-5  cache 1h", st.get(1).text());
        assertEquals("queue 3 (oldest 1m)  held 1  rejected 1", st.get(2).text());
        assertEquals("tokens 240.4k in 9.9k out  cache hit 37%", st.get(3).text());
        assertEquals("cost $0.4321  last turn $0.0123", st.get(4).text());
        assertEquals("  backend     file        idle  reported 2m ago", lineWith(st, "backend").text());
        assertTrue(lineWith(st, "  docs").text().startsWith("  docs        claude-code "), "the longest kind keeps a gap: "
                + lineWith(st, "  docs").text());
        Line frontend = lineWith(st, "  frontend");
        assertEquals("  frontend    file        1 queued  reported 30s ago", frontend.text());
        assertEquals(Style.WARN, frontend.spans().get(2).style());
        HomeSnapshot b = Fixtures.busy();
        HomeSnapshot drained = new HomeSnapshot(b.version(), b.at(), b.status(), true, List.of(), 0, List.of(), 0,
                List.of(), b.turns(), b.log(), b.sessions(), Optional.empty(), b.agentStates(), List.of(), Optional.empty(), b.inbox());
        Line unread = lineWith(Panes.status(drained, ConsoleHost.IN_PROCESS, 70, Fixtures.NOW), "  frontend");
        assertEquals("reply not yet read (+1 held)", unread.spans().get(2).text());
        assertEquals(Style.PAUSED, unread.spans().get(2).style());
        assertEquals("agent running", lineWith(st, "  web").spans().get(2).text());
    }

    @Test
    void a_container_agent_is_coloured_by_its_state_and_shown_in_words() {
        HomeSnapshot b = Fixtures.busy();
        for (AgentState state : AgentState.values()) {
            HomeSnapshot s = new HomeSnapshot(b.version(), b.at(), b.status(), true, List.of(), 0, List.of(), 0,
                    List.of(), b.turns(), b.log(), b.sessions(), Optional.empty(), Map.of("web", state), List.of(),
                    Optional.empty(), b.inbox());
            Line web = lineWith(Panes.status(s, ConsoleHost.IN_PROCESS, 70, Fixtures.NOW), "  web");
            assertEquals("agent " + state.words(), web.spans().get(2).text());
            Style expected = state == AgentState.RUNNING ? Style.OK
                    : state == AgentState.BACKOFF || state == AgentState.UNAVAILABLE ? Style.ERROR : Style.DIM;
            assertEquals(expected, web.spans().get(2).style(), state.toString());
        }
    }

    @Test
    void a_failed_and_a_blocked_session_show_why_in_red() {
        List<Line> st = Panes.status(Fixtures.busy(), ConsoleHost.IN_PROCESS, 70, Fixtures.NOW);
        Line docs = lineWith(st, "  docs");
        assertEquals("failed: authentication_failed", docs.spans().get(2).text());
        assertEquals(Style.ERROR, docs.spans().get(2).style());
        Line infra = lineWith(st, "  infra");
        assertEquals("blocked: refusing to write through a link: dispatch/infra (2 waiting)", infra.spans().get(2).text());
        assertEquals(Style.ERROR, infra.spans().get(2).style());
    }

    @Test
    void a_fresh_home_with_no_key_says_who_coordinates_and_the_two_ways_to_go_on() {
        dev.relay.state.Status fresh = new dev.relay.state.Status(4242, Fixtures.NOW.minusSeconds(5).toString(),
                Fixtures.NOW.toString(), dev.relay.state.RelayState.RUNNING, null, "claude-sonnet-5-5", null, null, null, null,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "5m", null, false, "operator", "https://ntfy.sh/t", null, List.of(), null, null);
        HomeSnapshot home = new HomeSnapshot(1, Fixtures.NOW, Optional.of(fresh), true, List.of(), 0, List.of(), 0, List.of(),
                List.of(), List.of(), List.of(), Optional.empty(), java.util.Map.of(), List.of(), Optional.empty(),
                new dev.relay.inbox.Inbox.Data());
        List<String> queue = texts(Panes.queue(home, 80, Fixtures.NOW));
        assertTrue(queue.contains("No ANTHROPIC_API_KEY yet. Two ways to go on:"), queue.toString());
        assertTrue(String.join(" ", queue).contains("1. Coordinate yourself: each report becomes an inbox item (i)"), queue.toString());
        assertTrue(String.join(" ", queue).contains("2. Add ANTHROPIC_API_KEY=sk-ant-... to .env"), queue.toString());
        List<String> status = texts(Panes.status(home, ConsoleHost.IN_PROCESS, 70, Fixtures.NOW));
        assertTrue(status.contains("coordinator: you · no report waits"), status.toString());
        assertTrue(status.contains("add ANTHROPIC_API_KEY to .env: the model takes over"), status.toString());
        assertFalse(String.join(" ", status).contains("envelopes wait"), "not an error: " + status);

        HomeSnapshot withModel = Fixtures.busy();
        assertFalse(String.join(" ", texts(Panes.status(withModel, ConsoleHost.IN_PROCESS, 70, Fixtures.NOW)))
                .contains("coordinator: you"));
    }

    @Test
    void an_answer_the_operator_gave_as_the_coordinator_says_who_gave_it() {
        java.time.Instant at = Fixtures.NOW;
        List<String> lines = texts(Panes.conversation(List.of(
                dev.relay.conversation.Turn.user("web", "login page done", "k", at),
                dev.relay.conversation.Turn.byOperator("Add a logout button next.", "k", at)), 80));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("JC (answering as the coordinator)")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("coordinator")), lines.toString());
    }

    @Test
    void a_paused_an_erring_and_a_stopped_relay_say_so() {
        List<Line> paused = Panes.status(Fixtures.paused(), ConsoleHost.IN_PROCESS, 70, Fixtures.NOW);
        assertEquals(Style.PAUSED, paused.get(0).spans().get(0).style());
        assertEquals("paused by JC from the console", paused.get(1).text());

        List<Line> error = Panes.status(Fixtures.error(), ConsoleHost.IN_PROCESS, 70, Fixtures.NOW);
        assertEquals("● ERROR  pid 4242, this console", error.get(0).text());
        assertEquals(Style.ERROR, lineWith(error, "agents: Docker is unreachable").spans().get(0).style());
        assertEquals(Style.ERROR, lineWith(error, "ANTHROPIC_API_KEY missing").spans().get(0).style());
        assertEquals("next attempt in 45s", lineWith(error, "next attempt").text());
        assertEquals(Style.ERROR, lineWith(error, "last error: HTTP 529").spans().get(0).style(), "it still holds");

        assertEquals(List.of("● STOPPED  no relay has run here"),
                texts(Panes.status(Fixtures.nothing(), ConsoleHost.ATTACHED_TO_DAEMON, 70, Fixtures.NOW)));
        HomeSnapshot gone = Fixtures.home(Optional.of(Fixtures.running()), false, Optional.empty(), List.of(), Optional.empty());
        assertEquals("● STOPPED  no relay running (last seen 1s ago)",
                Panes.status(gone, ConsoleHost.IN_PROCESS, 70, Fixtures.NOW).get(0).text());
    }

    @Test
    void a_batched_turn_names_its_sessions_and_shows_in_the_traffic_of_each() {
        java.time.Instant at = Fixtures.NOW;
        dev.relay.conversation.Turn batch = dev.relay.conversation.Turn.batch("2 reports arrived together.", "batch:k", at,
                List.of(new dev.relay.conversation.Turn.Report("backend", "k1", at), new dev.relay.conversation.Turn.Report("web", "k2", at)));
        dev.relay.conversation.Turn answers = dev.relay.conversation.Turn.answers("batch:k", at, dev.relay.conversation.Usage.NONE,
                List.of(new dev.relay.conversation.Turn.Answer("t1", "backend", "go on", true),
                        new dev.relay.conversation.Turn.Answer("t2", "web", "stop", true)));
        List<Line> lines = new ArrayList<>();
        Panes.appendTurn(lines, batch, 70);
        Panes.appendTurn(lines, answers, 70);
        assertTrue(lines.get(0).text().startsWith("2 reports together: backend, web"), lines.get(0).text());
        assertTrue(texts(lines).contains("  [to web] stop"), texts(lines).toString());
    }

    @Test
    void a_state_word_from_a_newer_relay_shows_as_unknown_with_the_rest_of_its_status() {
        HomeSnapshot newer = Fixtures.home(Optional.of(Fixtures.status("hibernating", null, null, null, null, null, true)),
                true, Optional.empty(), List.of(), Optional.empty());
        List<Line> lines = Panes.status(newer, ConsoleHost.ATTACHED_TO_DAEMON, 70, Fixtures.NOW);
        assertEquals("● UNKNOWN  attached to pid 4242", lines.get(0).text());
        assertEquals(Style.WARN, lines.get(0).spans().get(0).style());
        assertTrue(lines.size() > 3, "the figures are still shown: " + texts(lines));
    }

    @Test
    void needs_jc_shows_the_question_and_what_to_do() {
        List<Line> st = Panes.status(Fixtures.needsJc(), ConsoleHost.IN_PROCESS, 40, Fixtures.NOW);
        assertEquals(List.of("● NEEDS-JC  pid 4242, this console", "The coordinator needs you (1m ago):",
                "  Shall I drop the legacy table? It", "  holds 2 GB of rows nobody read since", "  2024.",
                "o: answer as JC · r: resume without answering"), texts(st.subList(0, 6)));
        assertTrue(st.subList(0, 6).stream().allMatch(l -> l.spans().get(0).style() == Style.NEEDS_JC
                || l.text().startsWith("●")), texts(st).toString());
    }

    @Test
    void a_session_kind_comes_from_the_status_or_is_file() {
        assertEquals("claude-code", Panes.kind(Fixtures.busy(), "docs"));
        assertEquals("file", Panes.kind(Fixtures.busy(), "unknown"));
        assertEquals("file", Panes.kind(Fixtures.nothing(), "docs"));
    }

    @Test
    void log_lines_of_a_container_agent_keep_their_text() {
        HomeSnapshot s = Fixtures.home(Optional.of(Fixtures.running()), true, Optional.empty(),
                List.of(new LogLine("x".repeat(25), false)), Optional.empty());
        assertEquals(List.of("agent web: running", "xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"),
                texts(Panes.agent(s, "web", 10, Fixtures.NOW)));
    }
}
