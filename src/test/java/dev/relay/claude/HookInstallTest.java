package dev.relay.claude;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.cli.Main;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `relay hook install|uninstall` on a project's settings, and the installed script run as Claude Code runs it. */
class HookInstallTest {
    @TempDir
    Path dir;

    LoopHarness relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private int relayCli(Path home, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, Map.of("RELAY_HOME", home.toString()), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, out + "\n" + err);
        return code;
    }

    record Shell(int code, String out, String err) {}

    /** The installed command, through a shell in the project, with Claude Code's input on stdin (as Claude Code runs it). */
    private static Shell runAsClaudeCode(String command, Path project, Path input) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(project.toFile());
        pb.environment().remove("RELAY_HOME");
        pb.redirectInput(input.toFile());
        Path err = Files.createTempFile("hook", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the hook returned");
        return new Shell(p.exitValue(), out, Files.readString(err));
    }

    @Test
    void install_keeps_the_files_mode_and_uninstall_gives_back_its_very_bytes() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project/.claude")).getParent();
        Path settings = project.resolve(".claude/settings.json");
        byte[] original = "{\n    \"model\": \"opus\",\n    \"permissions\": {\"allow\": [\"Bash(npm test:*)\"]}\n}\n".getBytes(StandardCharsets.UTF_8);
        Files.write(settings, original);
        Files.setPosixFilePermissions(settings, PosixFilePermissions.fromString("rw-r--r--"));
        Path home = Files.createDirectories(dir.resolve("home"));

        relayCli(home, "hook", "install", "--session", "app", "--project", project.toString(), "--wait", "120");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(settings)));
        var n = new ObjectMapper().readTree(settings.toFile());
        assertEquals("opus", n.get("model").asText());
        assertEquals("sh '" + home.toAbsolutePath() + "/state/hooks/claude-hook.sh' stop app 120", n.at("/hooks/Stop/0/hooks/0/command").asText());
        assertEquals(150, n.at("/hooks/Stop/0/hooks/0/timeout").asInt());
        byte[] installed = Files.readAllBytes(settings);

        relayCli(home, "hook", "install", "--session", "app", "--project", project.toString(), "--wait", "120");
        assertArrayEquals(installed, Files.readAllBytes(settings), "an install that changes nothing writes nothing");

        relayCli(home, "hook", "uninstall", "--session", "app", "--project", project.toString());
        assertArrayEquals(original, Files.readAllBytes(settings), "the very bytes it had");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(settings)));
    }

    @Test
    void settings_changed_by_hand_since_the_install_lose_only_the_hooks_and_a_file_install_created_goes_away() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Path settings = project.resolve(".claude/settings.json");
        Path home = Files.createDirectories(dir.resolve("home"));
        relayCli(home, "hook", "install", "--session", "app", "--project", project.toString());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(settings)), "a new file is 0644");
        relayCli(home, "hook", "uninstall", "--session", "app", "--project", project.toString());
        assertFalse(Files.exists(settings), "install created it, uninstall removes it");
        assertFalse(Files.exists(project.resolve(".claude")));

        relayCli(home, "hook", "install", "--session", "app", "--project", project.toString());
        var n = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(settings.toFile());
        n.put("theme", "dark");
        Files.writeString(settings, n.toString());
        relayCli(home, "hook", "uninstall", "--session", "app", "--project", project.toString());
        assertEquals(new ObjectMapper().readTree("{\"theme\": \"dark\"}"), new ObjectMapper().readTree(settings.toFile()));
    }

    @Test
    void the_installed_hook_asks_the_running_relay_over_loopback_and_runs_relay_itself_when_none_answers() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Path home = dir.resolve("home");
        relayCli(Files.createDirectories(home), "hook", "install", "--session", "app", "--project", project.toString(), "--wait", "30");
        String command = new ObjectMapper().readTree(project.resolve(".claude/settings.json").toFile())
                .at("/hooks/Stop/0/hooks/0/command").asText();
        Path input = ClaudeHookTest.RECORDED.resolve("stop-2.1.328.json");

        // no relay: the script runs Relay (the JVM), which files the report and lets Claude Code stop
        Shell alone = runAsClaudeCode(command, project, input);
        assertEquals(0, alone.code(), alone.err());
        assertEquals("", alone.out().strip());
        assertTrue(alone.err().contains("no relay is running in " + home.toAbsolutePath()), alone.err());

        // a relay with its endpoint: the report of the first stop and this one are both answered, through curl
        relay = new LoopHarness(home, Clock.systemUTC()).start();
        relay.coordinator.byDefault(r -> "answered over loopback");
        try (HookServer server = HookServer.start(relay.home, Clock.systemUTC())) {
            relay.loop().addListener(e -> {
                if (e instanceof dev.relay.relay.RelayEvent.ReplyDelivered d) {
                    server.wake(d.session());
                }
            });
            Await.until("the first report is answered", () -> relay.input("app").isPresent());
            // were the script to fall back to the JVM, it would run this and print nothing
            relayCli(home, "hook", "install", "--session", "app", "--project", project.toString(), "--wait", "30",
                    "--relay", "false");
            Shell fast = runAsClaudeCode(command, project, input);
            assertEquals(0, fast.code(), fast.err());
            String context = new ObjectMapper().readTree(fast.out()).at("/hookSpecificOutput/additionalContext").asText();
            assertTrue(context.startsWith("Relay: 2 messages for this session"), fast.out());
            assertTrue(context.contains("late answer") && context.endsWith("answered over loopback"), context);
        }
    }
}
