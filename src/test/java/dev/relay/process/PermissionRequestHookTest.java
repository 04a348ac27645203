package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.ClaudeCli;
import dev.relay.testing.FakeClaudeModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the real Claude Code gives a PermissionRequest hook, and what it does with its answer: the fields Relay's
 * permission hook will read, recorded from the CLI itself (a copy of the input lands in target/ for the unit tests'
 * fixtures), and that a hook answering nothing leaves a headless run to refuse the command, as without a hook.
 */
@Tag("process")
class PermissionRequestHookTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path project;

    @TempDir
    Path home;

    @BeforeEach
    void needsTheCli() {
        ClaudeCli.assumeInstalled();
    }

    @Test
    void a_bash_command_outside_the_allow_rules_reaches_the_hook_with_its_tool_and_input() throws Exception {
        JsonNode in = permissionRequest("touch made-by-bash.txt", "touch");
        assertEquals("PermissionRequest", in.path("hook_event_name").asText(), in.toPrettyString());
        assertEquals("Bash", in.path("tool_name").asText());
        assertEquals("touch made-by-bash.txt", in.path("tool_input").path("command").asText());
        assertFalse(in.path("session_id").asText().isEmpty(), in.toPrettyString());
        assertEquals(project.toRealPath().toString(), Path.of(in.path("cwd").asText()).toRealPath().toString());
        assertFalse(Files.exists(project.resolve("made-by-bash.txt")), "no decision: headless, the command is refused");
    }

    @Test
    void a_command_with_arguments_comes_with_a_rule_suggestion_for_this_project_that_relay_can_scope_to_the_session()
            throws Exception {
        JsonNode in = permissionRequest("npm test -- --watch=false", "npm-test");
        JsonNode suggestion = in.path("permission_suggestions").get(0);
        assertEquals("addRules", suggestion.path("type").asText(), in.toPrettyString());
        assertEquals("allow", suggestion.path("behavior").asText());
        assertEquals("localSettings", suggestion.path("destination").asText(), "Relay answers it with destination session");
        assertEquals("Bash", suggestion.path("rules").get(0).path("toolName").asText());
        assertTrue(suggestion.path("rules").get(0).path("ruleContent").asText().startsWith("npm test"), suggestion.toString());
    }

    /** Runs claude -p with a fake model that asks for {@code command}; answers what the hook was given. */
    private JsonNode permissionRequest(String command, String name) throws Exception {
        Path captured = project.resolve("permission-request.json");
        Path settings = Files.createDirectories(project.resolve(".claude")).resolve("settings.json");
        Files.writeString(settings, "{\"hooks\":{\"PermissionRequest\":[{\"matcher\":\"Bash\",\"hooks\":[{\"type\":\"command\","
                + "\"command\":\"cat > '" + captured + "'\"}]}]}}");
        try (FakeClaudeModel model = new FakeClaudeModel()) {
            model.script(request -> request.index() == 0
                    ? FakeClaudeModel.Reply.toolUse("Bash", JSON.createObjectNode()
                            .put("command", command).put("description", "Make a file"))
                    : FakeClaudeModel.Reply.text("Done."));

            ClaudeCli.Result result = ClaudeCli.run(project, home, model.baseUrl(), Duration.ofSeconds(90), Map.of(),
                    "-p", "make a file");

            assertFalse(result.timedOut(), result.toString());
            assertTrue(Files.exists(captured), "the hook ran: " + result);
            JsonNode in = JSON.readTree(captured.toFile());
            Files.createDirectories(Path.of("target"));
            // recorded for the fixtures in src/test/resources/dev/relay/permissions (paths made neutral there)
            Files.writeString(Path.of("target", "permission-request-" + name + ".json"), in.toPrettyString());
            return in;
        }
    }
}
