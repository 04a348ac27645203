package dev.relay.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFilesTest {
    @TempDir
    Path dir;

    private static Status status(RelayState state) {
        return new Status(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", state, null, "m", null, null, null, null,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "5m", null, true, "anthropic", null, null, List.of(), null, null);
    }

    @Test
    void status_json_names_each_state_by_its_word_and_reads_it_back() throws Exception {
        StatusFile file = new StatusFile(dir.resolve("status.json"));
        for (RelayState state : RelayState.values()) {
            file.write(status(state));
            assertTrue(Files.readString(dir.resolve("status.json")).contains("\"state\" : \"" + state.wire() + "\""));
            assertEquals(state, file.read().orElseThrow().state());
        }
        assertEquals(List.of("running", "paused", "needs_jc", "error"),
                List.of(RelayState.values()).stream().map(RelayState::wire).toList());
    }

    @Test
    void a_status_with_a_state_this_version_does_not_know_is_read_with_its_state_unknown() {
        Status read = StatusFile.parse("{\"pid\":7,\"state\":\"dancing\"}").orElseThrow();
        assertEquals(7, read.pid());
        assertEquals(null, read.state());
        assertEquals("unknown", read.stateWord());
        assertEquals("paused", status(RelayState.PAUSED).stateWord());
        assertEquals(Optional.empty(), RelayState.ofWire("RUNNING"));
    }

    @Test
    void pause_file_keeps_paused_and_needs_jc_and_reads_anything_else_as_running() throws Exception {
        PauseFile file = new PauseFile(dir.resolve("pause.json"));
        assertEquals(Optional.empty(), file.load());
        file.write(PauseFile.Pause.RUNNING.to(RelayState.NEEDS_JC, Instant.parse("2026-01-01T00:00:00Z"))
                .askedForJc(Instant.parse("2026-01-01T00:00:00Z"), "help"));
        assertEquals("{\"state\":\"needs_jc\",\"since\":\"2026-01-01T00:00:00Z\",\"last_needs_jc_at\":\"2026-01-01T00:00:00Z\","
                + "\"last_needs_jc_text\":\"help\"}", Files.readString(dir.resolve("pause.json")));
        PauseFile.Pause loaded = file.load().orElseThrow();
        assertEquals(RelayState.NEEDS_JC, loaded.state());
        assertEquals("help", loaded.lastNeedsJcText());
        Files.writeString(dir.resolve("pause.json"), "{\"state\":\"paused\"}");
        assertEquals(RelayState.PAUSED, file.load().orElseThrow().state());
        Files.writeString(dir.resolve("pause.json"), "{\"state\":\"error\"}");
        assertEquals(RelayState.RUNNING, file.load().orElseThrow().state());
    }
}
