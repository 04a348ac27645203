package dev.relay.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Stop hook's input (recorded from Claude Code) and the merge of the hook into settings.json. */
class ClaudeHookTest {
    static final Path RECORDED = Path.of("src/test/resources/claude");

    @TempDir
    Path dir;

    @Test
    void the_last_assistant_message_field_is_the_report() throws Exception {
        StopInput in = StopInput.parse(Files.readString(RECORDED.resolve("stop-with-message.json")));
        assertEquals("3f1c2a9e-8b7d-4c21-9e0f-6a5b4c3d2e1f", in.claudeSession());
        assertFalse(in.stopHookActive());
        assertTrue(in.message().orElseThrow().startsWith("Done: the login form validates emails now"));
    }

    @Test
    void without_it_the_transcripts_last_assistant_text_is_the_report_and_a_torn_line_is_skipped() throws Exception {
        Path transcript = Files.copy(RECORDED.resolve("transcript.jsonl"), dir.resolve("t.jsonl"));
        String json = Files.readString(RECORDED.resolve("stop-without-message.json")).replace("TRANSCRIPT", transcript.toString());
        StopInput in = StopInput.parse(json);
        assertTrue(in.stopHookActive());
        assertEquals(Optional.of("Fixed: the token expiry used seconds, not milliseconds.\nAll 12 auth tests pass."), in.message());
    }

    @Test
    void a_missing_transcript_means_no_report_and_bad_input_is_an_error() {
        assertTrue(StopInput.parse("{\"session_id\":\"x\",\"transcript_path\":\"/nonexistent.jsonl\"}").message().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> StopInput.parse("not json"));
    }

    @Test
    void install_merges_with_existing_settings_and_uninstall_removes_exactly_its_hook() throws Exception {
        String existing = """
                {
                  "permissions": {"allow": ["Bash(npm test)"]},
                  "hooks": {
                    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "audit.sh"}]}],
                    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]
                  }
                }
                """;
        String marker = " --home '/srv/relay' hook stop --session s1 --wait ";
        String cmd = "'java' -cp '/opt/relay.jar' dev.relay.cli.Main" + marker + "600";
        String installed = HookSettings.install(existing, cmd, marker, 630);
        var n = new ObjectMapper().readTree(installed);
        assertEquals("Bash(npm test)", n.at("/permissions/allow/0").asText());
        assertEquals("audit.sh", n.at("/hooks/PreToolUse/0/hooks/0/command").asText());
        assertEquals("notify-send done", n.at("/hooks/Stop/0/hooks/0/command").asText());
        assertEquals(cmd, n.at("/hooks/Stop/1/hooks/0/command").asText());
        assertEquals(630, n.at("/hooks/Stop/1/hooks/0/timeout").asInt());
        assertEquals("command", n.at("/hooks/Stop/1/hooks/0/type").asText());

        assertEquals(installed, HookSettings.install(installed, cmd, marker, 630), "installing twice adds nothing");
        String removed = HookSettings.uninstall(installed, marker);
        assertEquals(new ObjectMapper().readTree(existing), new ObjectMapper().readTree(removed));
        assertFalse(HookSettings.installed(removed, marker));
        assertEquals(new ObjectMapper().readTree("{}"),
                new ObjectMapper().readTree(HookSettings.uninstall(HookSettings.install("", cmd, marker, 30), marker)));
    }

    @Test
    void a_hook_from_an_older_relay_is_updated_in_place_and_other_sessions_hooks_are_left_alone() throws Exception {
        String s1 = " --home '/srv/relay' hook stop --session s1 --wait ";
        String s10 = " --home '/srv/relay' hook stop --session s10 --wait ";
        String otherHome = " --home '/srv/other' hook stop --session s1 --wait ";
        String settings = HookSettings.install("", "'java' -jar '/old/relay.jar'" + s1 + "600", s1, 630);
        settings = HookSettings.install(settings, "relay" + s10 + "600", s10, 630);
        settings = HookSettings.install(settings, "relay" + otherHome + "600", otherHome, 630);

        String updated = HookSettings.install(settings, "'java' -cp '/new/relay.jar' dev.relay.cli.Main" + s1 + "60", s1, 90);
        var n = new ObjectMapper().readTree(updated);
        assertEquals(3, n.at("/hooks/Stop").size(), updated);
        assertEquals("'java' -cp '/new/relay.jar' dev.relay.cli.Main" + s1 + "60", n.at("/hooks/Stop/0/hooks/0/command").asText());
        assertEquals(90, n.at("/hooks/Stop/0/hooks/0/timeout").asInt());

        var left = new ObjectMapper().readTree(HookSettings.uninstall(updated, s1));
        assertEquals(2, left.at("/hooks/Stop").size());
        assertEquals("relay" + s10 + "600", left.at("/hooks/Stop/0/hooks/0/command").asText());
        assertEquals("relay" + otherHome + "600", left.at("/hooks/Stop/1/hooks/0/command").asText());
    }

    @Test
    void broken_settings_are_refused_not_replaced() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HookSettings.install("{\"hooks\": [", "x", "x", 30));
        assertTrue(e.getMessage().contains("is not valid JSON"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HookSettings.install("{\"hooks\": {\"Stop\": {}}}", "x", "x", 30));
    }
}
