package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.Await;
import dev.relay.testing.ClaudeCli;
import dev.relay.testing.FakeAnthropic;
import dev.relay.testing.FakeClaudeModel;
import dev.relay.testing.FakeClaudeModel.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI (headless {@code claude -p}, the version .ci/claude-code installs) connected to a real relay
 * daemon by `relay hook install`, its model a streaming fake: each scenario checks what the model received, request
 * by request. The coordinator answers "answer to Rn" to a report that says "report Rn".
 */
@Tag("process")
class ClaudeCodeSessionTest {
    private static final Pattern REPORT = Pattern.compile("report (R\\d+)");

    @TempDir
    Path dir;

    Path home;
    Path project;
    Path claudeHome;
    FakeAnthropic coordinator;
    FakeClaudeModel model;
    MockWebServer ntfy;
    Process relay;
    final List<String> ntfyTitles = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        if (ClaudeCli.find().isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                ClaudeCli.require();
            }
            Assumptions.assumeTrue(false, ClaudeCli.FIX);
        }
        home = Files.createDirectories(dir.resolve("relay"));
        project = Files.createDirectories(dir.resolve("project"));
        claudeHome = Files.createDirectories(dir.resolve("user"));
        coordinator = new FakeAnthropic(Clock.systemUTC());
        coordinator.replies(req -> {
            Matcher m = REPORT.matcher(lastUserText(req));
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            return last == null ? "noted" : "answer to " + last;
        });
        model = new FakeClaudeModel();
        AtomicInteger reports = new AtomicInteger();
        model.script(r -> Reply.text("report R" + reports.incrementAndGet()));
        ntfy = new MockWebServer();
        ntfy.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String title = request.getHeader("Title");
                ntfyTitles.add(title != null ? title : request.getBody().readUtf8());
                return new MockResponse().setBody("{}");
            }
        });
        ntfy.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (relay != null) {
            relay.destroy();
            relay.waitFor(20, TimeUnit.SECONDS);
        }
        if (model != null) {
            model.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (ntfy != null) {
            ntfy.shutdown();
        }
    }

    static String lastUserText(JsonNode req) {
        JsonNode messages = req.path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        StringBuilder b = new StringBuilder();
        if (last.path("content").isTextual()) {
            b.append(last.path("content").asText());
        }
        for (JsonNode block : last.path("content")) {
            b.append(block.path("text").asText()).append('\n');
        }
        return b.toString();
    }

    private void startRelay() {
        Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-relay-test", "ANTHROPIC_BASE_URL", coordinator.baseUrl(),
                "NTFY_SERVER", ntfy.url("/").toString().replaceAll("/$", ""), "NTFY_TOPIC", "relay-test");
        relay = RelayProcess.start(home, env, dir.resolve("relay.log"), "run", "--daemon");
        Await.until("the relay's hook endpoint", Duration.ofSeconds(60), () -> Files.exists(home.resolve("state/hooks/endpoint")));
    }

    private void install(int waitSeconds) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", RelayProcess.JAR.toString(), "--home", home.toString(), "hook", "install", "--session", "app",
                "--project", project.toString(), "--wait", Integer.toString(waitSeconds)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    private ClaudeCli.Result claude(Map<String, String> env, String... args) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("CLAUDE_CODE_MAX_RETRIES", "0");
        return ClaudeCli.run(project, claudeHome, model.baseUrl(), Duration.ofMinutes(3), all, args);
    }

    private String waiting() {
        Path input = home.resolve("dispatch/app/input.txt");
        try {
            return Files.exists(input) ? Files.readString(input) : "";
        } catch (java.io.IOException e) {
            return "";   // taken meanwhile
        }
    }

    private String request(int i) {
        return model.requests().get(i).lastUserText();
    }

    private static final String ANSWER = "Relay: the coordinator's answer to your report:\n\n";

    /** What no request may show the model: the relay's command line, its home, or an error label. */
    private void nothingLeaks() {
        for (FakeClaudeModel.Request r : model.requests()) {
            String all = r.allText();
            assertFalse(all.contains("blocking error"), all);
            assertFalse(all.contains(home.toString()), "the relay's home reached the model");
            assertFalse(all.contains("claude-hook.sh"), "the hook's command reached the model");
        }
    }

    @Test
    void a_long_unattended_run_goes_on_to_the_cap_and_the_answer_past_it_goes_to_the_next_session() throws Exception {
        startRelay();
        install(60);
        ClaudeCli.Result run = claude(Map.of("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP", "3"), "-p", "Start the task.");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(4, model.requests().size(), "the prompt and three continuations");
        for (int k = 1; k <= 3; k++) {
            assertTrue(request(k).contains(ANSWER + "answer to R" + k), "request " + k + ": " + request(k));
        }
        nothingLeaks();
        Await.until("the answer to the report at the cap waits", () -> waiting().equals("answer to R4"));

        ClaudeCli.Result next = claude(Map.of("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP", "1"), "-c", "-p", "Go on.");
        assertEquals(0, next.exitCode(), next.stderr());
        String first = model.requests().get(4).allText();
        assertTrue(first.contains("late answer from the coordinator to your earlier report of")
                && first.contains("(\"report R4\"):\nanswer to R4"), first);
        assertTrue(request(5).contains(ANSWER + "answer to R5"), request(5));
        assertEquals(6, coordinator.calls(), "every report answered once; none lost");
    }

    @Test
    void a_late_answer_is_handed_over_labelled_and_the_session_is_not_left_behind() throws Exception {
        startRelay();
        install(2);
        coordinator.latency(Duration.ofSeconds(6));
        ClaudeCli.Result run = claude(Map.of(), "-p", "Start.");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(1, model.requests().size(), "no answer within the wait: Claude Code stopped");
        coordinator.latency(Duration.ZERO);
        Await.until("the late answer waits", Duration.ofSeconds(30), () -> waiting().equals("answer to R1"));

        ClaudeCli.Result next = claude(Map.of("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP", "2"), "-c", "-p", "Next.");
        assertEquals(0, next.exitCode(), next.stderr());
        assertTrue(model.requests().get(1).allText().contains("(\"report R1\"):\nanswer to R1"), model.requests().get(1).allText());
        assertTrue(request(2).contains(ANSWER + "answer to R2"), request(2));
        assertTrue(request(3).contains(ANSWER + "answer to R3"), "still in step: " + request(3));
        nothingLeaks();
    }

    @Test
    void the_same_words_at_two_stops_are_two_reports_and_each_gets_its_answer() throws Exception {
        startRelay();
        install(60);
        model.script(r -> Reply.text("All tests pass."));
        AtomicInteger n = new AtomicInteger();
        coordinator.replies(req -> "ack " + n.incrementAndGet());
        ClaudeCli.Result run = claude(Map.of("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP", "2"), "-p", "Run the tests.");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(3, model.requests().size());
        assertTrue(request(1).contains(ANSWER + "ack 1"), request(1));
        assertTrue(request(2).contains(ANSWER + "ack 2"), request(2));
        Await.until("the third report is answered too", () -> coordinator.calls() == 3);
    }

    @Test
    void a_stop_with_no_relay_running_files_the_report_and_the_next_session_gets_the_answer() throws Exception {
        install(60);
        long t0 = System.nanoTime();
        ClaudeCli.Result run = claude(Map.of(), "-p", "Start.");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 60, "no wait without a relay");
        try (var s = Files.list(home.resolve("queue"))) {
            assertEquals(1, s.filter(p -> p.toString().endsWith(".json")).count(), "the report waits in the queue");
        }
        startRelay();
        Await.until("answered once a relay runs", () -> waiting().equals("answer to R1"));
        ClaudeCli.Result next = claude(Map.of("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP", "0"), "-c", "-p", "Next.");
        assertEquals(0, next.exitCode(), next.stderr());
        assertTrue(model.requests().get(1).allText().contains("(\"report R1\"):\nanswer to R1"), model.requests().get(1).allText());
    }

    @Test
    void an_operator_message_sent_while_the_agent_works_reaches_it_labelled_with_the_answer() throws Exception {
        startRelay();
        install(60);
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reports = new AtomicInteger();
        model.script(r -> {
            if (r.index() == 0) {
                working.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Reply.text("report R" + reports.incrementAndGet());
        });
        CompletableFuture<ClaudeCli.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return claude(Map.of("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP", "1"), "-p", "Start the server.");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(working.await(60, TimeUnit.SECONDS));
        // as `relay override` writes it: complete or absent (a relay reading a half-written file would drop it)
        dev.relay.files.AtomicFiles.write(home.resolve("state/jc_input.txt"), "@app: use port 8080 from now on");
        Await.until("the operator's message waits", () -> waiting().contains("8080"));
        release.countDown();
        ClaudeCli.Result result = run.get(3, TimeUnit.MINUTES);
        assertEquals(0, result.exitCode(), result.stderr());
        String second = request(1);
        assertTrue(second.contains("1. From the operator (JC), sent "), second);
        assertTrue(second.contains(":\nuse port 8080 from now on\n\n2. The coordinator's answer to your report just now:\nanswer to R1"), second);
        nothingLeaks();
    }

    @Test
    void a_session_that_ends_on_an_api_error_shows_as_failed_with_one_notification() throws Exception {
        startRelay();
        install(60);
        model.script(r -> Reply.error(401, "authentication_error", "invalid x-api-key"));
        for (int i = 0; i < 2; i++) {
            ClaudeCli.Result run = claude(Map.of(), "-p", "Start.");
            assertTrue(run.exitCode() != 0, "Claude Code failed: " + run.stdout());
        }
        JsonNode status = new ObjectMapper().readTree(home.resolve("state/status.json").toFile());
        // the StopFailure hook runs after Claude Code has said its error: on a loaded machine that takes seconds
        Await.until("status shows the session failed", Duration.ofSeconds(30), () -> {
            try {
                JsonNode s = new ObjectMapper().readTree(home.resolve("state/status.json").toFile());
                for (JsonNode session : s.path("sessions")) {
                    if (session.path("id").asText().equals("app") && session.path("failure").asText().startsWith("authentication_failed")) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
        Await.until("one notification", () -> ntfyTitles.stream().anyMatch(t -> t.contains("app failed")));
        Thread.sleep(2500);   // two more status writes: a second notification would have been sent by now
        assertEquals(1, ntfyTitles.stream().filter(t -> t.contains("app failed")).count(), ntfyTitles.toString());
        assertTrue(status.isObject());
    }
}
