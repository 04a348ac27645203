package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.relay.logging.Logging;
import dev.relay.testing.Await;
import dev.relay.testing.ConsoleDriver;
import dev.relay.testing.LoopHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke suite: the whole console on lanterna's virtual terminal, over a real relay loop on a temporary home, for
 * what needs them all running (keys acting on a live relay, following an agent, resizing, a stuck terminal, two
 * consoles, the bell). What a key does to the console's state is in {@link ConsoleControllerTest}, what a pane or a
 * window shows in {@link PanesTest} and {@link OverlaysTest}, and whole frames from a fixed snapshot in
 * {@link ConsoleFrameTest}.
 */
class ConsoleTest {
    private static final String CONFIG = "sessions:\n  - id: backend\n  - id: frontend\n";

    @TempDir
    Path dir;

    LoopHarness relay;
    ConsoleDriver console;

    @AfterEach
    void stop() {
        if (console != null) {
            console.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private void start(int columns, int rows) {
        relay = new LoopHarness(dir, Clock.systemUTC()).config(CONFIG);
        Logging.configure(relay.home.logFile(), false);   // the log pane shows this home's log
        relay.start();
        console = new ConsoleDriver(relay.home, List.of("backend", "frontend"), ConsoleHost.IN_PROCESS, columns, rows);
        console.awaitText("RUNNING");
    }

    @Test
    void with_no_key_the_operator_answers_a_report_in_the_inbox_and_the_agent_gets_it() {
        relay = new LoopHarness(dir, Clock.systemUTC()).config(CONFIG).withoutApiKey();
        Logging.configure(relay.home.logFile(), false);
        relay.start();
        console = new ConsoleDriver(relay.home, List.of("backend", "frontend"), ConsoleHost.IN_PROCESS, 120, 40);
        console.awaitText("coordinator: you");
        console.awaitText("Two ways to go on");
        relay.send("backend", "schema migrated; next?");
        console.awaitText("1 report to answer (i)");
        console.press('i');
        console.awaitText("Report from backend");
        console.press(KeyType.Enter);
        console.type("Add the index on email next.");
        console.press(KeyType.Enter);
        assertEquals("Add the index on email next.", relay.take("backend"));
        assertEquals(0, relay.coordinator.requests.size(), "no model was asked");
        console.awaitText("no report waits");
    }

    @Test
    void p_pauses_and_r_resumes_the_relay() throws Exception {
        start(100, 30);
        console.press('p');
        console.awaitText("PAUSED");
        Await.until("the loop paused", () -> relay.status().state().wire().equals("paused"));
        relay.send("backend", "should wait");
        console.awaitText("should wait");
        assertEquals(1, relay.queued());

        console.press('r');
        console.awaitText("RUNNING");
        assertEquals("reply to: [session backend] should wait", relay.take("backend"));
    }

    @Test
    void o_opens_the_editor_and_enter_sends_a_multi_line_override_as_jc() {
        start(100, 30);
        console.press('o');
        console.awaitText("Override: the coordinator's next turn, as JC");
        console.type("Stop the refactor.");
        console.press(new KeyStroke(KeyType.Enter, false, true));   // Alt-Enter: a new line
        console.type("Fix the build first.\\");
        console.press(KeyType.Enter);                                 // a trailing backslash continues the text
        console.type("Then report.");
        console.press(KeyType.Enter);

        console.awaitText("reply to: [operator JC] Stop the refactor.");
        String taken = relay.journalLines().get(0);
        assertTrue(taken.contains("Stop the refactor.\\nFix the build first.\\nThen report."), taken);
        assertEquals("reply to: [operator JC] Stop the refactor.\nFix the build first.\nThen report.", relay.take("backend"));
    }

    @Test
    void at_completes_a_session_id_and_the_message_goes_to_that_session_directly() {
        start(100, 30);
        console.press('o');
        console.type("@ba");
        console.press(KeyType.Tab);
        console.awaitText("@backend: ");
        console.awaitText("Message straight to backend");
        console.type("rebase on main");
        console.press(KeyType.Enter);

        assertEquals("rebase on main", relay.take("backend"));
        assertTrue(relay.coordinator.requests.isEmpty(), "a direct message costs no API call");
    }

    private int rowOf(String title) {
        String[] rows = console.text().split("\n");
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].contains(" " + title)) {
                return i;
            }
        }
        throw new AssertionError("no pane titled " + title + " in\n" + console.text());
    }

    @Test
    void follows_resizes_to_80x24_and_200x60() {
        start(120, 40);
        relay.send("backend", "hello there");
        console.awaitText("reply to: [session backend] hello there");
        for (int[] size : new int[][] {{80, 24}, {200, 60}, {80, 24}}) {
            long before = console.console.frames();
            console.resize(size[0], size[1]);
            try {
                Await.until("a frame at " + size[0] + "x" + size[1], () -> console.console.frames() > before + 1
                        && console.row(0).startsWith("┌─ Queue") && console.row(0).endsWith("┐")
                        && console.row(size[1] - 1).contains("Quit"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + console.text(), e);
            }
            String screen = console.text();
            for (String pane : List.of("Queue", "Status", "Conversation", "Relay log")) {
                assertTrue(screen.contains(" " + pane), pane + " at " + size[0] + "x" + size[1] + "\n" + screen);
            }
            assertTrue(screen.contains("hello there"), screen);
        }
        console.resize(200, 60);
        Await.until("the wide layout: conversation and log side by side",
                () -> rowHas("Conversation", "Relay log"));
    }

    private boolean rowHas(String a, String b) {
        for (String row : console.text().split("\n")) {
            if (row.contains(a) && row.contains(b)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void needs_jc_highlights_the_status_pane_shows_the_reply_and_rings_the_bell_once() {
        start(120, 40);
        relay.coordinator.thenReply("[NEEDS-JC] Shall I drop the legacy table? It holds 2 GB.");
        relay.send("backend", "ready to drop the table");
        console.awaitText("NEEDS-JC");
        console.awaitText("Shall I drop the legacy table?");
        console.awaitText("o: answer as JC");
        int row = rowOf("NEEDS JC");
        int col = console.row(row).indexOf("NEEDS JC");
        assertEquals(TextColor.ANSI.RED, console.at(col, row).getBackgroundColor());
        Await.until("the bell", () -> console.bells() == 1);
        long frames = console.console.frames();
        relay.send("frontend", "more news");   // more frames while still paused: no second bell
        Await.until("more frames", () -> console.console.frames() > frames + 3);
        assertEquals(1, console.bells());

        console.press('r');
        console.awaitText("RUNNING");
        console.awaitGone("Shall I drop the legacy table?  ");
    }

    @Test
    void attach_follows_one_agent_and_typing_goes_to_it() {
        start(100, 30);
        relay.send("frontend", "login page done");
        relay.take("frontend");
        console.press('a');
        console.awaitText("Attach to an agent");
        console.press(KeyType.ArrowDown);   // backend, frontend: the second one
        console.press(KeyType.Enter);
        console.awaitText("Agent frontend (file session)");
        console.awaitText("login page done");
        console.type("please add a logout button");
        console.press(KeyType.Enter);
        assertEquals("please add a logout button", relay.take("frontend"));
        console.awaitText("sent to frontend");

        console.press(KeyType.Escape);
        console.awaitText("Relay log");
        console.awaitGone("Agent frontend");
    }

    @Test
    void attaching_to_a_container_agent_follows_its_output_with_stderr_told_apart() throws Exception {
        start(100, 30);
        Files.createDirectories(relay.home.stateDir());
        Files.writeString(relay.home.stateDir().resolve("agents.json"),
                "{\"runtime_problem\": \"Docker is unreachable at unix:///var/run/docker.sock\","
                        + " \"agents\": [{\"slug\": \"frontend\", \"state\": \"running\"}]}");
        console.awaitText("agents: Docker is unreachable");   // the status pane says so
        Path log = Files.createDirectories(relay.home.logsDir().resolve("agents")).resolve("frontend.log");
        Files.writeString(log, "2026-11-23T09:00:01Z out compiling the login page\n"
                + "2026-11-23T09:00:02Z err warning: unused import\n");
        console.press('a');
        console.awaitText("Attach to an agent");
        console.press(KeyType.ArrowDown);
        console.press(KeyType.Enter);
        console.awaitText("agent frontend: running");
        console.awaitText("09:00:01 compiling the login page");
        console.awaitText("09:00:02 warning: unused import");
        String[] rows = console.text().split("\n");
        int row = 0;
        while (!rows[row].contains("09:00:02 warning")) {
            row++;
        }
        int col = console.row(row).indexOf("09:00:02 warning");
        assertEquals(TextColor.ANSI.YELLOW_BRIGHT, console.at(col, row).getForegroundColor(), "stderr stands out");
        Files.writeString(log, "2026-11-23T09:00:03Z out tests pass\n", java.nio.file.StandardOpenOption.APPEND);
        console.awaitText("09:00:03 tests pass");   // followed live
        console.press(KeyType.Escape);
        console.awaitGone("agent frontend: running");
    }

    @Test
    void a_terminal_that_stops_drawing_never_slows_the_relay() throws Exception {
        relay = new LoopHarness(dir, Clock.systemUTC()).config(CONFIG).start();
        java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger flushes = new java.util.concurrent.atomic.AtomicInteger();
        com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal frozen =
                new com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal(new com.googlecode.lanterna.TerminalSize(100, 30)) {
                    @Override
                    public void flush() {
                        flushes.incrementAndGet();
                        try {
                            stuck.await();   // a terminal over a dead SSH link: every write blocks
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
        console = new ConsoleDriver(relay.home, List.of("backend"), ConsoleHost.IN_PROCESS, frozen,
                new dev.relay.monitor.FileOperatorActions(relay.home), false);
        Await.until("the console is blocked in the terminal", () -> flushes.get() > 0);
        for (int i = 0; i < 20; i++) {
            relay.send("backend", "report " + i);
        }
        Await.until("all 20 turns answered while the terminal is stuck", () -> relay.status().historyTurns() == 40);
        assertEquals(20, relay.coordinator.requests.size());
        stuck.countDown();
    }

    @Test
    void two_consoles_on_one_home_both_act_on_the_relay() {
        start(100, 30);
        try (ConsoleDriver second = new ConsoleDriver(relay.home, List.of("backend", "frontend"), ConsoleHost.ATTACHED_TO_DAEMON, 80, 24)) {
            second.awaitText("attached to pid");
            second.press('p');
            console.awaitText("PAUSED");
            second.awaitText("PAUSED");
            console.press('r');
            second.awaitText("RUNNING");
            second.press('o');
            second.type("from the second console");
            second.press(KeyType.Enter);
            console.awaitText("from the second console");
        }
        assertTrue(console.running());
    }
}
