package dev.relay.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.cli.Main;
import dev.relay.state.ControlFiles;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `relay hook stop` as Claude Code runs it, with recorded inputs, against the real relay loop. */
class StopHookRelayTest {
    @TempDir
    Path dir;

    LoopHarness relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    record Run(int code, String out, String err) {}

    private Run hook(Path home, String stdin, String... args) {
        InputStream saved = System.in;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int code = Main.execute(args, Map.of("RELAY_HOME", home.toString()), new PrintWriter(out, true), new PrintWriter(err, true));
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setIn(saved);
        }
    }

    /** The hook reads status.json (as another process would), so the test waits for the file, not the loop. */
    private void awaitStatusFile(String state) {
        dev.relay.state.StatusFile file = new dev.relay.state.StatusFile(dir.resolve("state/status.json"));
        Await.until("status.json says " + state, () -> file.read()
                .filter(s -> dev.relay.state.StatusFile.isLive(s, java.time.Instant.now()) && state.equals(s.state())).isPresent());
    }

    private static String recorded() throws Exception {
        return Files.readString(ClaudeHookTest.RECORDED.resolve("stop-with-message.json"));
    }

    @Test
    void the_last_message_goes_to_the_coordinator_and_its_reply_comes_back_as_the_next_instruction() throws Exception {
        relay = new LoopHarness(dir, Clock.systemUTC()).start();
        relay.coordinator.byDefault(r -> "Good. Now add the rate-limit message and run the e2e suite.");
        awaitStatusFile("running");
        Run run = hook(dir, recorded(), "hook", "stop", "--session", "app", "--wait", "30");
        assertEquals(0, run.code(), run.err());
        var decision = new ObjectMapper().readTree(run.out());
        assertEquals("block", decision.get("decision").asText());
        assertEquals("Good. Now add the rate-limit message and run the e2e suite.", decision.get("reason").asText());
        assertFalse(Files.exists(dir.resolve("dispatch/app/input.txt")), "the hook took the dispatch");
        assertTrue(relay.journalLines().get(0).contains("the login form validates emails"), relay.journalLines().get(0));
    }

    @Test
    void with_no_reply_in_time_claude_code_stops_normally_and_the_reply_waits() throws Exception {
        relay = new LoopHarness(dir, Clock.systemUTC()).start();
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.PAUSE);
        awaitStatusFile("paused");
        Run run = hook(dir, recorded(), "hook", "stop", "--session", "app", "--wait", "1");
        assertEquals(0, run.code());
        assertEquals("", run.out().strip(), "no decision: Claude Code stops; err: " + run.err());
        assertTrue(run.err().contains("no reply within 1 s"), run.err());
        assertEquals(1, relay.queued(), "the report waits for the resume");
    }

    @Test
    void the_same_stop_reported_twice_is_one_envelope_and_without_a_relay_the_hook_returns_at_once() throws Exception {
        long t0 = System.nanoTime();
        Run first = hook(dir, recorded(), "hook", "stop", "--session", "app", "--wait", "600");
        Run again = hook(dir, recorded(), "hook", "stop", "--session", "app", "--wait", "600");
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "no wait without a relay");
        assertEquals(0, first.code());
        assertTrue(first.err().contains("no relay is running"), first.err());
        assertEquals("", again.out().strip());
        try (var s = Files.list(dir.resolve("queue"))) {
            assertEquals(1, s.filter(p -> p.toString().endsWith(".json")).count(), "idempotent: one envelope");
        }
    }

    @Test
    void a_broken_input_fails_open() {
        Run run = hook(dir, "garbage", "hook", "stop", "--session", "app");
        assertEquals(0, run.code());
        assertEquals("", run.out().strip());
        assertTrue(run.err().contains("Claude Code stops"), run.err());
    }

    @Test
    void install_and_uninstall_through_the_command_line() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(project.resolve(".claude"));
        Files.writeString(project.resolve(".claude/settings.json"), "{\"model\": \"opus\"}");
        Path home = Files.createDirectories(dir.resolve("home"));
        Run in = hook(home, "", "hook", "install", "--session", "app", "--project", project.toString(), "--wait", "120");
        assertEquals(0, in.code(), in.err());
        var settings = new ObjectMapper().readTree(project.resolve(".claude/settings.json").toFile());
        assertEquals("opus", settings.get("model").asText());
        String command = settings.at("/hooks/Stop/0/hooks/0/command").asText();
        assertTrue(command.endsWith(" --home '" + home.toAbsolutePath() + "' hook stop --session app --wait 120"), command);
        assertEquals(150, settings.at("/hooks/Stop/0/hooks/0/timeout").asInt());

        // The command works as Claude Code runs it: through a shell, in the project, with the Stop input on stdin.
        // No relay runs, so it reports and lets Claude Code stop at once.
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(project.toFile());
        pb.environment().remove("RELAY_HOME");
        pb.redirectInput(ClaudeHookTest.RECORDED.resolve("stop-with-message.json").toFile());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("no relay is running in " + home.toAbsolutePath()), output);
        try (var s = Files.list(home.resolve("queue"))) {
            assertEquals(1, s.filter(f -> f.toString().endsWith(".json")).count(), "the report waits in the queue");
        }

        // Installed again with another wait and by another Relay (--relay): the same hook is updated, not added twice.
        Run again = hook(home, "", "hook", "install", "--session", "app", "--project", project.toString(), "--wait", "60",
                "--relay", "/usr/local/bin/relay");
        assertEquals(0, again.code(), again.err());
        settings = new ObjectMapper().readTree(project.resolve(".claude/settings.json").toFile());
        assertEquals(1, settings.at("/hooks/Stop").size(), settings.toString());
        assertEquals("/usr/local/bin/relay --home '" + home.toAbsolutePath() + "' hook stop --session app --wait 60",
                settings.at("/hooks/Stop/0/hooks/0/command").asText());
        assertEquals(90, settings.at("/hooks/Stop/0/hooks/0/timeout").asInt());

        // Uninstall finds it whatever started Relay and however long it waited.
        Run out = hook(home, "", "hook", "uninstall", "--session", "app", "--project", project.toString());
        assertEquals(0, out.code(), out.err());
        assertEquals(new ObjectMapper().readTree("{\"model\": \"opus\"}"),
                new ObjectMapper().readTree(project.resolve(".claude/settings.json").toFile()));
    }
}
