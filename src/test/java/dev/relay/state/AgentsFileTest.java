package dev.relay.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentsFileTest {
    @TempDir
    Path dir;

    @Test
    void writes_the_states_as_wire_values_and_reads_them_back() throws Exception {
        AgentsFile file = new AgentsFile(dir.resolve("state/agents.json"));
        assertEquals(Optional.empty(), file.read(), "no file yet");
        AgentsFile.Content content = new AgentsFile.Content("2026-11-23T09:00:00Z", "Docker is unreachable",
                List.of(new AgentsFile.Entry("c1", AgentState.WAITING, null, "sess-1", null, "", "", 0),
                        new AgentsFile.Entry("c2", AgentState.BACKOFF, "0123456789ab", null, "2026-11-23T08:00:00Z", "ok", "it broke", 2)),
                List.of("removed the dead container 0123456789ab of agent c2"));
        file.write(content);
        String text = file.text().orElseThrow();
        assertTrue(text.contains("\"state\" : \"waiting\""), text);
        assertTrue(text.contains("\"state\" : \"backoff\""), text);
        assertTrue(text.contains("\"container_id\" : null"), text);
        assertEquals(Optional.of(content), file.read());
    }

    @Test
    void reads_the_display_words_an_earlier_relay_wrote() throws Exception {
        Path path = Files.createDirectories(dir.resolve("state")).resolve("agents.json");
        Files.writeString(path, "{\"updated_at\": \"2026-11-23T09:00:00Z\", \"runtime_problem\": null, \"agents\": ["
                + "{\"slug\": \"a\", \"state\": \"waiting for a slot\"}, {\"slug\": \"b\", \"state\": \"backing off\"},"
                + "{\"slug\": \"c\", \"state\": \"Docker unreachable\"}, {\"slug\": \"d\", \"state\": \"running\"},"
                + "{\"slug\": \"e\", \"state\": \"idle\"}, {\"slug\": \"f\", \"state\": \"starting\"},"
                + "{\"slug\": \"g\", \"state\": \"closing\"}], \"recovery\": []}");
        AgentsFile.Content read = new AgentsFile(path).read().orElseThrow();
        assertEquals(List.of(AgentState.WAITING, AgentState.BACKOFF, AgentState.UNAVAILABLE, AgentState.RUNNING,
                AgentState.IDLE, AgentState.STARTING, AgentState.CLOSING),
                read.agents().stream().map(AgentsFile.Entry::state).toList());
        assertEquals(Optional.empty(), read.problem());
    }

    @Test
    void a_file_that_is_not_one_cannot_be_read() throws Exception {
        Path path = Files.createDirectories(dir.resolve("state")).resolve("agents.json");
        Files.writeString(path, "{\"agents\": [{\"slug\": \"a\", \"state\": \"dancing\"}]}");
        assertThrows(IOException.class, () -> new AgentsFile(path).read());
        Files.writeString(path, "{\"agen");
        assertThrows(IOException.class, () -> new AgentsFile(path).read());
    }

    @Test
    void every_state_has_its_own_wire_value_and_words() {
        for (AgentState s : AgentState.values()) {
            assertEquals(s, AgentState.of(s.wire()));
            assertEquals(s, AgentState.of(s.words()));
        }
    }
}
