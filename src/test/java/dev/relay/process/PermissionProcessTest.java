package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.Await;
import dev.relay.testing.ClaudeCli;
import dev.relay.testing.FakeClaudeModel;
import dev.relay.testing.FakeNtfy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permission prompts of the real Claude Code (headless, `claude -p`) decided through Relay's PermissionRequest hook:
 * by a rule, by the operator on the phone (the test performs the notification's button) or on the command line, and
 * no decision at all when none comes in time or no relay runs (Claude Code then refuses, as without the hook).
 */
@Tag("process")
class PermissionProcessTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOPIC = "relay-alerts-perm";
    static final String REPLY = "relay-replies-perm";

    @TempDir
    Path dir;

    Path home;
    Path project;
    Path claudeHome;
    FakeClaudeModel model;
    FakeNtfy ntfy;
    Process relay;

    @BeforeEach
    void setUp() throws Exception {
        ClaudeCli.assumeInstalled();
        home = Files.createDirectories(dir.resolve("home"));
        project = Files.createDirectories(dir.resolve("project"));
        claudeHome = Files.createDirectories(dir.resolve("claude-home"));
        Files.writeString(home.resolve("config.yaml"), """
                permissions:
                  timeout_s: 8
                  rules:
                    - deny: "Bash(rm:*)"
                    - allow: "Bash(touch by-rule.txt)"
                """);
        model = new FakeClaudeModel();
        ntfy = new FakeNtfy();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (relay != null) {
            relay.destroy();
            relay.waitFor(20, TimeUnit.SECONDS);
        }
        model.close();
        ntfy.close();
    }

    void startRelay() {
        relay = RelayProcess.start(home, Map.of("NTFY_SERVER", ntfy.url(), "NTFY_TOPIC", TOPIC, "NTFY_REPLY_TOPIC", REPLY),
                dir.resolve("relay.log"), "run", "--daemon");
        Await.until("the relay's hook endpoint", Duration.ofSeconds(60), () -> Files.exists(home.resolve("state/hooks/endpoint")),
                () -> RelayProcess.read(dir.resolve("relay.log")));
        Await.until("subscribed to the reply topic", Duration.ofSeconds(30), () -> ntfy.subscribers(REPLY) == 1);
    }

    void install() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", RelayProcess.JAR.toString(), "--home", home.toString(), "hook", "install", "--session", "web",
                "--project", project.toString(), "--wait", "1"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        JsonNode settings = JSON.readTree(project.resolve(".claude/settings.json").toFile());
        assertTrue(settings.at("/hooks/PermissionRequest/0/hooks/0/command").asText().contains("permission-request web 8"),
                settings.toPrettyString());
    }

    /** claude -p in the project, its model asking once for {@code command}; the run's future. */
    CompletableFuture<ClaudeCli.Result> run(String command) {
        model.script(r -> r.index() == 0 || !r.allText().contains("tool_result")
                ? FakeClaudeModel.Reply.toolUse("Bash", JSON.createObjectNode().put("command", command).put("description", "x"))
                : FakeClaudeModel.Reply.text("Done."));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ClaudeCli.run(project, claudeHome, model.baseUrl(), Duration.ofMinutes(2),
                        Map.of("CLAUDE_CODE_MAX_RETRIES", "0"), "-p", "do it");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** What the model was told about its tool call: the tool_result of the last request that has one. */
    String toolResult() {
        for (int i = model.requests().size() - 1; i >= 0; i--) {
            for (JsonNode m : model.requests().get(i).messages()) {
                for (JsonNode block : m.path("content")) {
                    if ("tool_result".equals(block.path("type").asText())) {
                        return block.toString();
                    }
                }
            }
        }
        return "(no tool_result)";
    }

    FakeNtfy.Message permissionPush(int n) {
        Await.until("permission push " + n, Duration.ofSeconds(30), () -> ntfy.messages(TOPIC).stream()
                .filter(m -> m.title().startsWith("Permission for web")).count() >= n);
        return ntfy.messages(TOPIC).stream().filter(m -> m.title().startsWith("Permission for web")).skip(n - 1).findFirst()
                .orElseThrow();
    }

    @Test
    void the_phone_allows_a_command_the_cli_denies_another_with_a_note_and_a_rule_decides_a_third() throws Exception {
        startRelay();
        install();

        CompletableFuture<ClaudeCli.Result> first = run("touch allowed-by-phone.txt");
        FakeNtfy.Message push = permissionPush(1);
        assertEquals(List.of("Allow", "Allow for session", "Deny"), push.actions().stream().map(FakeNtfy.Action::label).toList());
        assertTrue(push.message().contains("Bash: touch allowed-by-phone.txt"), push.message());
        assertEquals(200, ntfy.phone().tap(push, "Allow"));
        ClaudeCli.Result r1 = first.get(2, TimeUnit.MINUTES);
        assertEquals(0, r1.exitCode(), r1.toString());
        assertTrue(Files.exists(project.resolve("allowed-by-phone.txt")), "the command ran: " + toolResult());

        CompletableFuture<ClaudeCli.Result> second = run("touch denied-by-cli.txt");
        permissionPush(2);
        JsonNode items = JSON.readTree(RelayProcess.cli(home, "inbox", "--json").substring(2));
        String code = null;
        for (JsonNode i : items) {
            if (i.path("kind").asText().equals("permission")) {
                code = i.path("code").asText();
            }
        }
        assertTrue(RelayProcess.cli(home, "deny", code, "--note", "Not today: use the fixture.").startsWith("0:"));
        second.get(2, TimeUnit.MINUTES);
        assertFalse(Files.exists(project.resolve("denied-by-cli.txt")));
        assertTrue(toolResult().contains("Not today: use the fixture."), toolResult());

        CompletableFuture<ClaudeCli.Result> third = run("touch by-rule.txt");
        third.get(2, TimeUnit.MINUTES);
        assertTrue(Files.exists(project.resolve("by-rule.txt")), "allowed by the rule: " + toolResult());
        assertEquals(2, ntfy.messages(TOPIC).stream().filter(m -> m.title().startsWith("Permission for web")).count(),
                "a rule's decision asks no one");
        Files.writeString(project.resolve("keep.txt"), "kept");
        run("rm keep.txt").get(2, TimeUnit.MINUTES);
        assertTrue(Files.exists(project.resolve("keep.txt")), "denied by the rule");
        assertTrue(toolResult().contains("Denied by Relay's rule \\\"Bash(rm:*)\\\""), toolResult());
        String log = RelayProcess.cli(home, "log");
        assertTrue(log.contains("permission allowed by rule allow: Bash(touch by-rule.txt)"), log);
        assertTrue(log.contains("permission denied by cli"), log);
        String listed = RelayProcess.cli(home, "permissions");
        assertTrue(listed.contains("permission allowed") && listed.contains("web  Bash: touch allowed-by-phone.txt  (phone)"),
                listed);
        assertTrue(listed.contains("Bash: touch by-rule.txt  (rule allow: Bash(touch by-rule.txt))"), listed);
        assertTrue(listed.contains("Bash: rm keep.txt  (rule deny: Bash(rm:*))"), listed);

        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                RelayProcess.JAR.toString(), "--home", home.toString(), "hook", "uninstall", "--session", "web",
                "--project", project.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertFalse(Files.exists(project.resolve(".claude/settings.json"))
                && Files.readString(project.resolve(".claude/settings.json")).contains("PermissionRequest"),
                "uninstall removes the permission hook too");
    }

    @Test
    void with_triage_coordinator_the_coordinator_denies_and_the_model_reads_why() throws Exception {
        Files.writeString(home.resolve("config.yaml"), "permissions:\n  triage: coordinator\n  timeout_s: 8\n");
        try (dev.relay.testing.FakeAnthropic api = new dev.relay.testing.FakeAnthropic(java.time.Clock.systemUTC())) {
            api.replies(req -> req.toString().contains("You decide whether a coding agent may use a tool")
                    ? "DENY: use the fixture in test/ instead" : "carry on");
            relay = RelayProcess.start(home, Map.of("NTFY_SERVER", ntfy.url(), "NTFY_TOPIC", TOPIC, "NTFY_REPLY_TOPIC", REPLY,
                    "ANTHROPIC_API_KEY", "sk-ant-permission-test-0123456789", "ANTHROPIC_BASE_URL", api.baseUrl()),
                    dir.resolve("relay.log"), "run", "--daemon");
            Await.until("the relay's hook endpoint", Duration.ofSeconds(60),
                    () -> Files.exists(home.resolve("state/hooks/endpoint")), () -> RelayProcess.read(dir.resolve("relay.log")));
            install();
            ClaudeCli.Result r = run("touch by-coordinator.txt").get(2, TimeUnit.MINUTES);
            assertFalse(r.timedOut(), r.toString());
            assertFalse(Files.exists(project.resolve("by-coordinator.txt")));
            assertTrue(toolResult().contains("Denied by the coordinator: use the fixture in test/ instead"), toolResult());
            assertTrue(RelayProcess.cli(home, "permissions").contains("(coordinator: use the fixture in test/ instead)"),
                    RelayProcess.cli(home, "permissions"));
            assertEquals(0, ntfy.messages(TOPIC).stream().filter(m -> m.title().startsWith("Permission for web")).count(),
                    "decided without asking anyone");
        }
    }

    @Test
    void no_decision_in_time_or_no_relay_leaves_claude_code_to_refuse_as_without_the_hook() throws Exception {
        startRelay();
        install();
        CompletableFuture<ClaudeCli.Result> waited = run("touch never-answered.txt");
        permissionPush(1);
        ClaudeCli.Result r = waited.get(2, TimeUnit.MINUTES);
        assertFalse(r.timedOut(), r.toString());
        assertFalse(Files.exists(project.resolve("never-answered.txt")));
        Await.until("the item says why", () -> RelayProcess.cli(home, "inbox", "--all").contains("no decision within 8 s"));
        String late = RelayProcess.cli(home, "inbox", "--all", "--json");
        String code = JSON.readTree(late.substring(2)).get(0).path("code").asText();
        String refused = RelayProcess.cli(home, "allow", code);
        assertTrue(refused.startsWith("1:") && refused.contains("no decision within 8 s"), "a late answer says so: " + refused);

        relay.destroy();
        assertTrue(relay.waitFor(20, TimeUnit.SECONDS));
        relay = null;
        long started = System.nanoTime();
        ClaudeCli.Result alone = run("touch no-relay.txt").get(2, TimeUnit.MINUTES);
        assertFalse(alone.timedOut(), alone.toString());
        assertFalse(Files.exists(project.resolve("no-relay.txt")));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 60, "no wait for a relay that is not there");
    }
}
