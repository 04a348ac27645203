package dev.relay.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.cli.Main;
import dev.relay.state.ControlFiles;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ScriptedCoordinator;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The correlation rules of Relay's Claude Code hooks, with inputs recorded from Claude Code 2.1.328, against the real
 * relay loop: `relay hook stop|session-start|stop-failure` as the hook script runs them when no endpoint answers.
 */
class StopHookRelayTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    LoopHarness relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    record Run(int code, String out, String err) {
        /** What the model reads: the Stop or SessionStart hook's additionalContext; "" when the hook let it stop. */
        String context() throws Exception {
            if (out.isBlank()) {
                return "";
            }
            return JSON.readTree(out).path("hookSpecificOutput").path("additionalContext").asText("");
        }

        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private Run hook(String stdin, String... args) {
        return hook(Map.of(), stdin, args);
    }

    private synchronized Run hook(Map<String, String> env, String stdin, String... args) {
        InputStream saved = System.in;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> all = new HashMap<>(env);
        all.put("RELAY_HOME", dir.toString());
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int code = Main.execute(args, all, new PrintWriter(out, true), new PrintWriter(err, true));
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setIn(saved);
        }
    }

    private Run stopHook(String input, int wait) {
        return hook(input, "hook", "stop", "--session", "app", "--wait", Integer.toString(wait));
    }

    /** A Stop input as Claude Code 2.1.328 sends it, with this last message. */
    static String stopInput(String message, boolean continued) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(Files.readString(ClaudeHookTest.RECORDED.resolve(
                continued ? "stop-continued-2.1.328.json" : "stop-2.1.328.json")));
        n.put("last_assistant_message", message);
        return n.toString();
    }

    private void awaitStatusFile(String state) {
        dev.relay.state.StatusFile file = new dev.relay.state.StatusFile(dir.resolve("state/status.json"));
        Await.until("status.json says " + state, () -> file.read()
                .filter(s -> dev.relay.state.StatusFile.isLive(s, java.time.Instant.now()) && state.equals(s.state().wire())).isPresent());
    }

    private LoopHarness running() {
        relay = new LoopHarness(dir, Clock.systemUTC()).start();
        awaitStatusFile("running");
        return relay;
    }

    @Test
    void each_stop_gets_the_answer_to_its_own_report_as_context_labelled_from_the_coordinator() throws Exception {
        running().coordinator.byDefault(r -> "Good. Now add the rate-limit message.");
        Run run = stopHook(stopInput("Done: the login form validates emails now.", false), 30);
        assertEquals(0, run.code(), run.err());
        JsonNode out = run.json();
        assertEquals("Stop", out.at("/hookSpecificOutput/hookEventName").asText());
        assertFalse(out.has("decision"), "no block: Claude Code would show it as an error with our command line");
        assertEquals("Relay: the coordinator's answer to your report:\n\nGood. Now add the rate-limit message.", run.context());
        assertFalse(Files.exists(dir.resolve("dispatch/app/input.txt")), "the hook took the dispatch");
        assertTrue(relay.journalLines().get(0).contains("the login form validates emails"), relay.journalLines().get(0));
        try (var s = Files.list(dir.resolve("dispatch/app/.taken"))) {
            assertEquals(0, s.count(), "handed over, so nothing is kept for the next hook");
        }
    }

    @Test
    void a_late_answer_is_handed_over_labelled_with_its_report_and_the_session_catches_up() throws Exception {
        running().coordinator.byDefault(r -> "answer to " + ScriptedCoordinator.lastUserText(r).replaceAll("(?s).*?(report \\w+).*", "$1"));
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.PAUSE);
        awaitStatusFile("paused");
        Run first = stopHook(stopInput("report one", false), 1);
        assertEquals("", first.out().strip(), "nothing in time: Claude Code stops; " + first.err());
        assertTrue(first.err().contains("the answer will be handed to this session at its next stop or start"), first.err());

        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.RESUME);
        Await.until("the answer to report one waits", () -> relay.input("app").isPresent());

        Run second = stopHook(stopInput("report two", false), 30);
        String context = second.context();
        assertTrue(context.startsWith("Relay: 2 messages for this session, oldest first."), context);
        int late = context.indexOf("1. A late answer from the coordinator to your earlier report of ");
        int now = context.indexOf("2. The coordinator's answer to your report just now:\nanswer to report two");
        assertTrue(late > 0 && now > late, context);
        assertTrue(context.contains("(\"report one\"):\nanswer to report one"), context);

        Run third = stopHook(stopInput("report three", true), 30);
        assertEquals("Relay: the coordinator's answer to your report:\n\nanswer to report three", third.context(),
                "caught up: the third stop gets exactly its own answer");
    }

    @Test
    void the_same_words_at_two_stops_are_two_reports_each_answered() throws Exception {
        running().coordinator.byDefault(r -> "noted (" + relay.coordinator.requests.size() + ")");
        Run a = stopHook(stopInput("All tests pass.", false), 30);
        Run b = stopHook(stopInput("All tests pass.", true), 30);
        assertEquals("Relay: the coordinator's answer to your report:\n\nnoted (1)", a.context(), a.err());
        assertEquals("Relay: the coordinator's answer to your report:\n\nnoted (2)", b.context(), b.err());
        assertEquals(2, relay.coordinator.requests.size());
    }

    @Test
    void a_report_the_relay_refuses_says_why_and_lets_claude_code_stop_at_once() throws Exception {
        relay = new LoopHarness(dir, Clock.systemUTC()).config("max_envelope_bytes: 200\n").start();
        awaitStatusFile("running");
        long t0 = System.nanoTime();
        Run run = stopHook(stopInput("x".repeat(500), false), 600);
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 60, "no wait for an answer that cannot come");
        String message = run.json().path("systemMessage").asText();
        assertTrue(message.startsWith("Relay: the relay refused this report: "), run.out());
        assertTrue(message.contains("max_envelope_bytes"), message);
        assertFalse(run.json().has("hookSpecificOutput"), "Claude Code stops");
    }

    @Test
    void at_claude_codes_continuation_cap_nothing_is_taken_and_the_next_session_gets_it() throws Exception {
        running().coordinator.byDefault(r -> "keep going");
        Map<String, String> cap2 = Map.of("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP", "2");
        assertEquals("Relay: the coordinator's answer to your report:\n\nkeep going",
                hook(cap2, stopInput("step 1", false), "hook", "stop", "--session", "app", "--wait", "30").context());
        assertTrue(hook(cap2, stopInput("step 2", true), "hook", "stop", "--session", "app", "--wait", "30").context()
                .endsWith("keep going"));
        Run capped = hook(cap2, stopInput("step 3", true), "hook", "stop", "--session", "app", "--wait", "30");
        assertTrue(capped.json().path("systemMessage").asText().contains("limit of 2 hook continuations"), capped.out());
        assertFalse(capped.json().has("hookSpecificOutput"), "nothing handed over that Claude Code would ignore");

        Await.until("the answer to step 3 waits in dispatch/", () -> relay.input("app").isPresent());
        Run start = hook(Files.readString(ClaudeHookTest.RECORDED.resolve("session-resume-2.1.328.json")),
                "hook", "session-start", "--session", "app");
        assertEquals("SessionStart", start.json().at("/hookSpecificOutput/hookEventName").asText());
        String context = start.context();
        assertTrue(context.startsWith("Relay: 1 message for this session, which came after its last turn ended"), context);
        assertTrue(context.contains("late answer from the coordinator to your earlier report of ") && context.contains("(\"step 3\")"), context);
        assertTrue(context.endsWith("keep going"), context);

        // a new prompt (stop_hook_active false) counts from zero again
        assertTrue(hook(cap2, stopInput("step 4", false), "hook", "stop", "--session", "app", "--wait", "30").context().endsWith("keep going"));
    }

    @Test
    void an_operator_message_sent_while_the_agent_works_comes_with_the_answer_labelled_as_the_operators() throws Exception {
        running().coordinator.byDefault(r -> "the coordinator's answer");
        relay.override("@app: use port 8080 from now on");
        Await.until("the operator's message waits", () -> relay.input("app").isPresent());
        String context = stopHook(stopInput("Server started on 3000.", false), 30).context();
        assertTrue(context.contains("1. From the operator (JC), sent "), context);
        assertTrue(context.contains(":\nuse port 8080 from now on\n\n2. The coordinator's answer to your report just now:\n"
                + "the coordinator's answer"), context);
    }

    @Test
    void with_no_relay_the_report_waits_and_the_hook_returns_at_once() throws Exception {
        long t0 = System.nanoTime();
        Run run = stopHook(stopInput("finished the migration", false), 600);
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 30, "no wait without a relay");
        assertEquals("", run.out().strip());
        assertTrue(run.err().contains("no relay is running"), run.err());
        try (var s = Files.list(dir.resolve("queue"))) {
            assertEquals(1, s.filter(p -> p.toString().endsWith(".json")).count());
        }
    }

    @Test
    void messages_a_killed_hook_had_taken_are_handed_over_by_the_next_one() throws Exception {
        running().coordinator.byDefault(r -> "second answer");
        relay.override("@app: first message");
        Await.until("the operator's message waits", () -> relay.input("app").isPresent());
        // a hook takes it, then dies before Claude Code has its output
        new Mailbox(relay.home, dev.relay.core.SessionId.of("app"), Clock.systemUTC()).take();
        assertFalse(relay.input("app").isPresent());
        String context = stopHook(stopInput("report", false), 30).context();
        assertTrue(context.contains("From the operator (JC)") && context.contains("first message")
                && context.contains("second answer"), context);
    }

    @Test
    void a_turn_that_ends_on_an_api_error_shows_as_failed_with_one_notification_until_a_turn_ends_well() throws Exception {
        running();
        String failure = Files.readString(ClaudeHookTest.RECORDED.resolve("stop-failure-2.1.328.json"));
        assertEquals(0, hook(failure, "hook", "stop-failure", "--session", "app").code());
        Await.until("status shows the failure", () -> relay.status().sessions().stream()
                .anyMatch(s -> s.id().equals("app") && s.failure() != null && s.failure().startsWith("authentication_failed")));
        assertEquals(0, hook(failure, "hook", "stop-failure", "--session", "app").code());
        Await.until("the second failure is recorded", () -> SessionRecord.read(relay.home.claudeSessionFile(
                dev.relay.core.SessionId.of("app"))).failure().count() == 2);
        Await.until("a status written after it", () -> relay.status().sessions().stream()
                .anyMatch(s -> s.id().equals("app") && s.failedAt() != null
                        && s.failedAt().equals(SessionRecord.read(relay.home.claudeSessionFile(dev.relay.core.SessionId.of("app"))).failure().at())));
        assertEquals(1, relay.open(dev.relay.inbox.Kind.AGENT_FAILED).stream().filter(i -> i.title().contains("app failed")).count(),
                relay.inbox().items().toString());

        relay.coordinator.byDefault(r -> "fine");
        stopHook(stopInput("back again", false), 30);
        Await.until("the failure is cleared", () -> relay.status().sessions().stream()
                .anyMatch(s -> s.id().equals("app") && s.failure() == null));
        Await.until("its inbox item resolved itself", () -> relay.open(dev.relay.inbox.Kind.AGENT_FAILED).isEmpty());
    }

    @Test
    void the_endpoint_refuses_requests_without_its_token_and_answers_like_the_command_with_it() throws Exception {
        running().coordinator.byDefault(r -> "via the endpoint");
        try (HookServer server = HookServer.start(relay.home, Clock.systemUTC())) {
            relay.loop().addListener(e -> {
                if (e instanceof dev.relay.relay.RelayEvent.ReplyDelivered d) {
                    server.wake(d.session());
                }
            });
            assertEquals(server.url() + "\n", Files.readString(relay.home.hookEndpointFile()));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(relay.home.hookHeadersFile())));
            var http = java.net.http.HttpClient.newHttpClient();
            String body = stopInput("over http", false);
            var noToken = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/claude/stop?session=app&wait=30"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
            assertEquals(401, http.send(noToken, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
            var wrong = java.net.http.HttpRequest.newBuilder(noToken.uri()).header("Authorization", "Bearer nope")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
            assertEquals(401, http.send(wrong, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(0, relay.queued() + relay.coordinator.requests.size(), "refused before doing anything");

            var ok = java.net.http.HttpRequest.newBuilder(noToken.uri()).header("Authorization", "Bearer " + server.token())
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
            var response = http.send(ok, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("Relay: the coordinator's answer to your report:\n\nvia the endpoint",
                    new Run(0, response.body(), "").context());
        }
        assertFalse(Files.exists(relay.home.hookEndpointFile()), "closed: the script falls back to the command");
    }
}
