package dev.relay.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLogTest {
    @TempDir
    Path dir;

    @Test
    void each_entry_is_one_line_that_parses_back() throws Exception {
        Home home = new Home(dir);
        AgentLog log = new AgentLog(home, new ManualClock(Instant.parse("2026-11-23T09:00:00Z")));
        SessionId c1 = SessionId.of("c1");
        log.append(c1, AgentLog.Kind.OUT, "compiling");
        log.append(c1, AgentLog.Kind.RESULT, "done:\nall tests pass");
        List<String> lines = Files.readAllLines(AgentLog.file(home, c1));
        assertEquals(List.of("2026-11-23T09:00:00Z out compiling", "2026-11-23T09:00:00Z result done: all tests pass"), lines);
        assertEquals(Optional.of(new AgentLog.Entry("2026-11-23T09:00:00Z", AgentLog.Kind.RESULT, "done: all tests pass")),
                AgentLog.Entry.parse(lines.get(1)));
        assertEquals(Optional.empty(), AgentLog.Entry.parse("no form"));
        assertEquals(Optional.empty(), AgentLog.Entry.parse("2026-11-23T09:00:00Z other kind"));
    }

    @Test
    void a_full_log_is_rotated_once() throws Exception {
        Home home = new Home(dir);
        SessionId c1 = SessionId.of("c1");
        Path file = AgentLog.file(home, c1);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[(int) AgentLog.MAX_BYTES + 1]);
        new AgentLog(home, new ManualClock(Instant.parse("2026-11-23T09:00:00Z"))).append(c1, AgentLog.Kind.ERR, "oops");
        assertEquals(List.of("2026-11-23T09:00:00Z err oops"), Files.readAllLines(file));
        assertTrue(Files.size(file.resolveSibling("c1.1.log")) > AgentLog.MAX_BYTES);
    }
}
