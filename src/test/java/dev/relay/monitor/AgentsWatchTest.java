package dev.relay.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.agents.AgentLog;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.monitor.HomeSnapshot.LogLine;
import dev.relay.state.AgentState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentsWatchTest {
    @TempDir
    Path dir;

    private void append(Home home, String slug, String text) throws Exception {
        Path log = AgentLog.file(home, SessionId.of(slug));
        Files.createDirectories(log.getParent());
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> texts(List<LogLine> lines) {
        return lines.stream().map(LogLine::text).toList();
    }

    @Test
    void reads_the_agents_states_and_why_none_can_run() throws Exception {
        Home home = new Home(dir);
        AgentsWatch watch = new AgentsWatch(home, 100);
        assertFalse(watch.poll(), "no agents.json: nothing to show");
        Files.createDirectories(home.stateDir());
        Path fresh = home.stateDir().resolve("agents.json.tmp");
        Files.writeString(fresh, "{\"agents\":[{\"slug\":\"c2\",\"state\":\"idle\"},{\"slug\":\"c1\",\"state\":\"running\"}],"
                + "\"runtime_problem\":\"Docker is unreachable\"}");
        Files.move(fresh, home.stateDir().resolve("agents.json"), StandardCopyOption.ATOMIC_MOVE);

        assertTrue(watch.poll());
        assertEquals(Map.of("c1", AgentState.RUNNING, "c2", AgentState.IDLE), watch.states());
        assertEquals(Optional.of("Docker is unreachable"), watch.runtimeProblem());
        assertFalse(watch.poll(), "read once");

        Files.delete(home.stateDir().resolve("agents.json"));
        assertTrue(watch.poll());
        assertEquals(Map.of(), watch.states());
        assertEquals(Optional.empty(), watch.runtimeProblem());
    }

    @Test
    void following_another_agent_cancels_the_first_stream() throws Exception {
        Home home = new Home(dir);
        append(home, "c1", "2026-11-23T09:00:00Z out from c1\n");
        append(home, "c2", "2026-11-23T09:00:01Z err from c2\n");
        AgentsWatch watch = new AgentsWatch(home, 100);
        assertEquals(List.of(), watch.followedLog(), "none followed");

        watch.follow(Optional.of("c1"));
        assertTrue(watch.poll());
        assertEquals(List.of("09:00:00 from c1"), texts(watch.followedLog()));

        watch.follow(Optional.of("c2"));
        assertTrue(watch.poll(), "the switch itself is a change");
        assertEquals(List.of(new LogLine("09:00:01 from c2", true)), watch.followedLog(), "c1's lines are gone");
        append(home, "c1", "2026-11-23T09:00:02Z out more from c1\n");
        assertFalse(watch.poll(), "c1's log is no longer read");
        assertEquals(List.of("09:00:01 from c2"), texts(watch.followedLog()));

        watch.follow(Optional.empty());
        assertTrue(watch.poll());
        assertEquals(List.of(), watch.followedLog());
    }

    @Test
    void following_a_name_that_is_no_session_id_shows_nothing() throws Exception {
        Home home = new Home(dir);
        AgentsWatch watch = new AgentsWatch(home, 100);
        watch.follow(Optional.of("../relay"));
        watch.poll();
        assertEquals(List.of(), watch.followedLog());
    }
}
