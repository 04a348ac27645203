package dev.relay.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Stop hook's input (recorded from Claude Code) and the merge of the hook into settings.json. */
public class ClaudeHookTest {
    public static final Path RECORDED = Path.of("src/test/resources/claude");

    @TempDir
    Path dir;

    @Test
    void the_last_assistant_message_field_is_the_report() throws Exception {
        HookInput in = HookInput.parse(Files.readString(RECORDED.resolve("stop-with-message.json")));
        assertEquals("3f1c2a9e-8b7d-4c21-9e0f-6a5b4c3d2e1f", in.claudeSession());
        assertFalse(in.stopHookActive());
        assertTrue(in.message().orElseThrow().startsWith("Done: the login form validates emails now"));
    }

    @Test
    void without_it_the_transcripts_last_assistant_text_is_the_report_and_a_torn_line_is_skipped() throws Exception {
        Path transcript = Files.copy(RECORDED.resolve("transcript.jsonl"), dir.resolve("t.jsonl"));
        String json = Files.readString(RECORDED.resolve("stop-without-message.json")).replace("TRANSCRIPT", transcript.toString());
        HookInput in = HookInput.parse(json);
        assertTrue(in.stopHookActive());
        assertEquals(Optional.of("Fixed: the token expiry used seconds, not milliseconds.\nAll 12 auth tests pass."), in.message());
    }

    @Test
    void a_missing_transcript_means_no_report_and_bad_input_is_an_error() {
        assertTrue(HookInput.parse("{\"session_id\":\"x\",\"transcript_path\":\"/nonexistent.jsonl\"}").message().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> HookInput.parse("not json"));
    }

    @Test
    void every_field_claude_code_2_1_328_sends_is_read() throws Exception {
        HookInput stop = HookInput.parse(Files.readString(RECORDED.resolve("stop-2.1.328.json")));
        assertEquals("Stop", stop.event());
        assertEquals("49c9efe4-20f3-43c5-8a4a-ca932626f55d", stop.claudeSession());
        assertEquals(Optional.of("cb7739eb-f5cb-4cf7-a3a2-e45a22520825"), stop.promptId());
        assertFalse(stop.stopHookActive());
        assertEquals(Optional.of("All tests pass."), stop.message());
        assertTrue(HookInput.parse(Files.readString(RECORDED.resolve("stop-continued-2.1.328.json"))).stopHookActive());

        HookInput failure = HookInput.parse(Files.readString(RECORDED.resolve("stop-failure-2.1.328.json")));
        assertEquals("StopFailure", failure.event());
        assertEquals(Optional.of("authentication_failed"), failure.error());
        assertTrue(failure.lastMessage().orElseThrow().contains("401"), failure.toString());

        assertEquals(Optional.of("startup"), HookInput.parse(Files.readString(RECORDED.resolve("session-start-2.1.328.json"))).source());
        assertEquals(Optional.of("resume"), HookInput.parse(Files.readString(RECORDED.resolve("session-resume-2.1.328.json"))).source());
    }

    static final dev.relay.core.Home HOME = new dev.relay.core.Home(Path.of("/srv/relay"));

    static List<HookSettings.Hook> hooks(String session, int wait) {
        return List.of(new HookSettings.Hook("Stop", HookScript.command(HOME, "stop", session, wait), wait + 30),
                new HookSettings.Hook("SessionStart", HookScript.command(HOME, "session-start", session, null), 30),
                new HookSettings.Hook("StopFailure", HookScript.command(HOME, "stop-failure", session, null), 30));
    }

    static java.util.function.Predicate<String> ours(String session) {
        return c -> HookScript.isOurs(c, HOME, session);
    }

    @Test
    void install_merges_with_existing_settings_and_uninstall_removes_exactly_its_hooks() throws Exception {
        String existing = """
                {
                  "permissions": {"allow": ["Bash(npm test)"]},
                  "hooks": {
                    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "audit.sh"}]}],
                    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]
                  }
                }
                """;
        String installed = HookSettings.install(existing, hooks("s1", 600), ours("s1"));
        var n = new ObjectMapper().readTree(installed);
        assertEquals("Bash(npm test)", n.at("/permissions/allow/0").asText());
        assertEquals("audit.sh", n.at("/hooks/PreToolUse/0/hooks/0/command").asText());
        assertEquals("notify-send done", n.at("/hooks/Stop/0/hooks/0/command").asText());
        assertEquals("sh '/srv/relay/state/hooks/claude-hook.sh' stop s1 600", n.at("/hooks/Stop/1/hooks/0/command").asText());
        assertEquals(630, n.at("/hooks/Stop/1/hooks/0/timeout").asInt());
        assertEquals("command", n.at("/hooks/Stop/1/hooks/0/type").asText());
        assertEquals("sh '/srv/relay/state/hooks/claude-hook.sh' session-start s1", n.at("/hooks/SessionStart/0/hooks/0/command").asText());
        assertEquals("sh '/srv/relay/state/hooks/claude-hook.sh' stop-failure s1", n.at("/hooks/StopFailure/0/hooks/0/command").asText());

        assertEquals(installed, HookSettings.install(installed, hooks("s1", 600), ours("s1")), "installing twice adds nothing");
        String removed = HookSettings.uninstall(installed, ours("s1"));
        assertEquals(new ObjectMapper().readTree(existing), new ObjectMapper().readTree(removed));
        assertFalse(HookSettings.installed(removed, ours("s1")));
        assertEquals(new ObjectMapper().readTree("{}"), new ObjectMapper().readTree(
                HookSettings.uninstall(HookSettings.install("", hooks("s1", 30), ours("s1")), ours("s1"))));
    }

    @Test
    void a_hook_from_an_older_relay_is_replaced_and_other_sessions_hooks_are_left_alone() throws Exception {
        String old = """
                {"hooks": {"Stop": [
                  {"hooks": [{"type": "command", "command": "'java' -jar '/old/relay.jar' --home '/srv/relay' hook stop --session s1 --wait 600", "timeout": 630}]},
                  {"hooks": [{"type": "command", "command": "relay --home '/srv/relay' hook stop --session s10 --wait 600", "timeout": 630}]},
                  {"hooks": [{"type": "command", "command": "relay --home '/srv/other' hook stop --session s1 --wait 600", "timeout": 630}]}
                ]}}
                """;
        assertTrue(HookSettings.installed(old, ours("s1")));
        String updated = HookSettings.install(old, hooks("s1", 60), ours("s1"));
        var n = new ObjectMapper().readTree(updated);
        assertEquals(3, n.at("/hooks/Stop").size(), updated);
        assertEquals("sh '/srv/relay/state/hooks/claude-hook.sh' stop s1 60", n.at("/hooks/Stop/0/hooks/0/command").asText());
        assertEquals(90, n.at("/hooks/Stop/0/hooks/0/timeout").asInt());

        var left = new ObjectMapper().readTree(HookSettings.uninstall(updated, ours("s1")));
        assertEquals(2, left.at("/hooks/Stop").size());
        assertTrue(left.at("/hooks/Stop/0/hooks/0/command").asText().contains("--session s10"));
        assertTrue(left.at("/hooks/Stop/1/hooks/0/command").asText().contains("/srv/other"));
        assertFalse(left.has("SessionStart"));
        assertFalse(HookScript.isOurs("sh '/srv/relay/state/hooks/claude-hook.sh' stop s10 600", HOME, "s1"));
    }

    @Test
    void broken_settings_are_refused_not_replaced() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HookSettings.install("{\"hooks\": [", hooks("s1", 30), ours("s1")));
        assertTrue(e.getMessage().contains("is not valid JSON"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> HookSettings.install("{\"hooks\": {\"Stop\": {}}}", hooks("s1", 30), ours("s1")));
    }
}
