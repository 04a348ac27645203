package dev.relay.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.agents.AgentLog;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.monitor.HomeSnapshot.LogLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLogLinesTest {
    @TempDir
    Path dir;

    private static void append(Path log, String text) throws Exception {
        Files.createDirectories(log.getParent());
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void the_console_shows_every_line_with_its_time_and_marks_stderr_and_errors() {
        assertEquals(new LogLine("09:00:00 result: done", false), AgentLogLines.consoleLine("2026-11-23T09:00:00Z result done"));
        assertEquals(new LogLine("09:00:01 error: it broke", true), AgentLogLines.consoleLine("2026-11-23T09:00:01Z error it broke"));
        assertEquals(new LogLine("09:00:02 a warning", true), AgentLogLines.consoleLine("2026-11-23T09:00:02Z err a warning"));
        assertEquals(new LogLine("09:00:03 working on it", false), AgentLogLines.consoleLine("2026-11-23T09:00:03Z out working on it"));
        assertEquals(new LogLine("no form", false), AgentLogLines.consoleLine("no form"));
    }

    @Test
    void the_chat_shows_results_errors_and_stderr_only() {
        assertEquals(Optional.of("done"), AgentLogLines.chatLine("2026-11-23T09:00:00Z result done"));
        assertEquals(Optional.of("error: it broke"), AgentLogLines.chatLine("2026-11-23T09:00:01Z error it broke"));
        assertEquals(Optional.of("  (stderr) a warning"), AgentLogLines.chatLine("2026-11-23T09:00:02Z err a warning"));
        assertEquals(Optional.empty(), AgentLogLines.chatLine("2026-11-23T09:00:03Z out working on it"));
        assertEquals(Optional.empty(), AgentLogLines.chatLine("no form"));
    }

    @Test
    void a_chat_follows_from_now_on_and_drops_the_rest_of_a_line_being_written() throws Exception {
        Home home = new Home(dir);
        Path log = AgentLog.file(home, SessionId.of("c1"));
        append(log, "2026-11-23T09:00:00Z result before the chat\n2026-11-23T09:00:01Z result half");
        AgentLogLines chat = AgentLogLines.followFromNow(home, SessionId.of("c1"));
        assertEquals(List.of(), chat.poll());

        append(log, " written\n2026-11-23T09:00:02Z result after\n2026-11-23T09:00:03Z out not for the chat\n");
        assertEquals(List.of("after"), chat.poll());
        assertEquals(List.of(), chat.poll(), "each line once");
    }

    @Test
    void a_log_that_appears_after_the_chat_started_is_read_from_its_start() throws Exception {
        Home home = new Home(dir);
        AgentLogLines chat = AgentLogLines.followFromNow(home, SessionId.of("c1"));
        assertEquals(List.of(), chat.poll());
        append(AgentLog.file(home, SessionId.of("c1")), "2026-11-23T09:00:00Z result first\n2026-11-23T09:00:01Z err oops\n");
        assertEquals(List.of("first", "  (stderr) oops"), chat.poll());
    }
}
