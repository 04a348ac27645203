package dev.relay.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.SessionId;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Source;
import dev.relay.permissions.PermissionPolicy;
import dev.relay.permissions.PermissionRule;
import dev.relay.testing.Await;
import dev.relay.trail.Trail;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook's answers in Claude Code's documented form, over an input recorded from the real CLI. */
class PermissionDeskTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    JsonNode recorded() throws Exception {
        try (var in = PermissionDeskTest.class.getResourceAsStream("/dev/relay/permissions/permission-request-npm-test.json")) {
            return JSON.readTree(in);
        }
    }

    PermissionDesk desk(List<PermissionRule> rules, Duration timeout) {
        return new PermissionDesk(new Inbox(dir.resolve("state/inbox.json"), Clock.systemUTC()),
                new Trail(dir.resolve("state/trail.jsonl")),
                () -> new PermissionPolicy(rules, PermissionPolicy.Triage.OPERATOR, timeout), Clock.systemUTC());
    }

    /** Asks on another thread and answers the item with {@code action}; the hook's output. */
    JsonNode answered(Action action, Optional<String> text) throws Exception {
        JsonNode in = recorded();
        PermissionDesk d = desk(List.of(), Duration.ofSeconds(30));
        CompletableFuture<ClaudeHooks.Outcome> out = CompletableFuture.supplyAsync(() -> {
            try {
                return d.request(SessionId.of("web"), in);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Inbox inbox = new Inbox(dir.resolve("state/inbox.json"), Clock.systemUTC());
        Await.until("the permission item", () -> inbox.read().open().stream().anyMatch(i -> i.kind() == Kind.PERMISSION));
        Item item = inbox.read().open().get(0);
        assertTrue(item.text().contains("Bash: npm test -- --watch=false"), item.text());
        inbox.act(new Inbox.Request(item.code(), action, text, Source.PHONE, Optional.empty()));
        return JSON.readTree(out.get(10, TimeUnit.SECONDS).output().orElseThrow());
    }

    @Test
    void allow_for_the_session_answers_with_the_requests_own_suggestion_kept_in_the_session() throws Exception {
        JsonNode out = answered(Action.ALLOW_SESSION, Optional.empty());
        assertEquals("PermissionRequest", out.at("/hookSpecificOutput/hookEventName").asText());
        JsonNode decision = out.at("/hookSpecificOutput/decision");
        assertEquals("allow", decision.path("behavior").asText());
        JsonNode update = decision.path("updatedPermissions").get(0);
        assertEquals("addRules", update.path("type").asText());
        assertEquals("session", update.path("destination").asText(), "never the project's settings files");
        assertEquals("npm test *", update.at("/rules/0/ruleContent").asText());
    }

    @Test
    void allow_once_has_no_permission_update_and_deny_carries_the_operators_message() throws Exception {
        JsonNode allow = answered(Action.ALLOW, Optional.empty()).at("/hookSpecificOutput/decision");
        assertEquals("allow", allow.path("behavior").asText());
        assertFalse(allow.has("updatedPermissions"));
        JsonNode deny = answered(Action.DENY, Optional.of("Use the fixture.")).at("/hookSpecificOutput/decision");
        assertEquals("deny", deny.path("behavior").asText());
        assertEquals("Use the fixture.", deny.path("message").asText());
    }

    @Test
    void a_rule_decides_at_once_and_no_answer_in_time_is_no_decision() throws Exception {
        JsonNode in = recorded();
        ClaudeHooks.Outcome byRule = desk(List.of(PermissionRule.parse(PermissionRule.Decision.DENY, "Bash(npm:*)",
                Optional.empty())), Duration.ofSeconds(30)).request(SessionId.of("web"), in);
        JsonNode d = JSON.readTree(byRule.output().orElseThrow()).at("/hookSpecificOutput/decision");
        assertEquals("deny", d.path("behavior").asText());
        assertTrue(d.path("message").asText().contains("Bash(npm:*)"), d.toString());

        ClaudeHooks.Outcome none = desk(List.of(), Duration.ofMillis(300)).request(SessionId.of("web"), in);
        assertEquals(Optional.empty(), none.output());
        Item timedOut = new Inbox(dir.resolve("state/inbox.json"), Clock.systemUTC()).read().items().stream()
                .filter(i -> i.kind() == Kind.PERMISSION).findFirst().orElseThrow();
        assertFalse(timedOut.isOpen());
        assertTrue(timedOut.resolution().orElseThrow().startsWith("no decision within"), timedOut.resolution().toString());
    }

    PermissionDesk coordinatorDesk(dev.relay.testing.ScriptedCoordinator c, Duration timeout) {
        return new PermissionDesk(new Inbox(dir.resolve("state/inbox.json"), Clock.systemUTC()),
                new Trail(dir.resolve("state/trail.jsonl")),
                () -> new PermissionPolicy(List.of(), PermissionPolicy.Triage.COORDINATOR, timeout), Clock.systemUTC(),
                () -> Optional.of(c), () -> "claude-sonnet-5-5");
    }

    @Test
    void the_coordinator_decides_in_its_strict_form_and_anything_else_goes_to_the_operator() throws Exception {
        JsonNode in = recorded();
        dev.relay.testing.ScriptedCoordinator c = new dev.relay.testing.ScriptedCoordinator();
        c.thenReply("ALLOW: the project's own tests are safe to run");
        JsonNode allowed = JSON.readTree(coordinatorDesk(c, Duration.ofSeconds(5)).request(SessionId.of("web"), in)
                .output().orElseThrow()).at("/hookSpecificOutput/decision");
        assertEquals("allow", allowed.path("behavior").asText());
        assertEquals(PermissionDesk.TRIAGE_PROMPT, c.requests.get(0).system());
        assertTrue(c.requests.get(0).messages().get(0).text().contains("Bash: npm test -- --watch=false"));

        c.thenReply("DENY: run the tests in the container instead");
        JsonNode denied = JSON.readTree(coordinatorDesk(c, Duration.ofSeconds(5)).request(SessionId.of("web"), in)
                .output().orElseThrow()).at("/hookSpecificOutput/decision");
        assertEquals("Denied by the coordinator: run the tests in the container instead", denied.path("message").asText());

        c.thenReply("Sure, go ahead!\nALLOW: fine");   // not the form: never guessed
        ClaudeHooks.Outcome unread = coordinatorDesk(c, Duration.ofMillis(300)).request(SessionId.of("web"), in);
        assertEquals(Optional.empty(), unread.output(), "the operator was asked (and did not answer in time)");
        Item asked = new Inbox(dir.resolve("state/inbox.json"), Clock.systemUTC()).read().items().stream()
                .filter(i -> i.kind() == Kind.PERMISSION).findFirst().orElseThrow();
        assertTrue(asked.text().contains("the coordinator gave no answer that could be read"), asked.text());

        c.thenReply("ASK: it publishes nothing, but the flags are unusual");
        coordinatorDesk(c, Duration.ofMillis(300)).request(SessionId.of("web"), in);
        assertTrue(new Inbox(dir.resolve("state/inbox.json"), Clock.systemUTC()).read().items().stream()
                .anyMatch(i -> i.text().contains("The coordinator asks you: it publishes nothing")));
    }

    @Test
    void long_input_is_folded_and_secrets_are_masked() {
        String longCommand = "echo " + "x".repeat(5000);
        String shown = PermissionDesk.shown(PermissionDesk.describe("Bash", JSON.createObjectNode().put("command", longCommand)));
        assertTrue(shown.length() < 1700 && shown.contains("characters folded"), shown.length() + "");
        String masked = PermissionDesk.describe("Bash", JSON.createObjectNode()
                .put("command", "curl -H 'x-api-key: sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789' https://api.anthropic.com"));
        assertFalse(masked.contains("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"), masked);
    }
}
