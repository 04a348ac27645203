package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.conversation.Turn;
import dev.relay.notify.Notification;
import dev.relay.state.ControlFiles;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ScriptedCoordinator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayLoopTest {
    @TempDir
    Path dir;

    LoopHarness relay;

    LoopHarness harness() {
        relay = new LoopHarness(dir, Clock.systemUTC());
        return relay;
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void envelope_becomes_one_turn_and_its_reply_is_dispatched_to_its_session() {
        harness().start();
        Path envelope = relay.send("s1", "build is green");

        assertEquals("reply to: [session s1] build is green", relay.take("s1"));
        Await.until("envelope removed", () -> !Files.exists(envelope));
        List<String> lines = relay.journalLines();
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).contains("\"type\":\"user\"") && lines.get(0).contains("build is green"));
        assertTrue(lines.get(1).contains("\"type\":\"assistant\""));
    }

    @Test
    void replies_never_overwrite_a_pending_input_and_go_out_in_order_once_it_is_deleted() {
        harness().start();
        relay.coordinator.byDefault(r -> "answer " + ScriptedCoordinator.lastUserText(r).replaceAll(".*#", ""));
        for (int i = 1; i <= 3; i++) {
            relay.send("s1", "report #" + i);
            int n = i;
            Await.until("turn " + i, () -> relay.coordinator.requests.size() >= n);
        }
        Await.until("all replies queued", () -> relay.queued() == 0);
        assertEquals("answer 1", relay.input("s1").orElseThrow());
        assertEquals("answer 1", relay.take("s1"));
        assertEquals("answer 2", relay.take("s1"));
        assertEquals("answer 3", relay.take("s1"));
    }

    @Test
    void operator_input_is_taken_before_queued_envelopes_and_only_once() throws Exception {
        harness().config("sessions:\n  - id: lead\n").start();
        relay.loop().close();
        // with the relay stopped, queue an envelope and an override; the override must go first
        relay = new LoopHarness(dir, Clock.systemUTC());
        relay.config("sessions:\n  - id: lead\n");
        relay.send("s1", "an agent report");
        relay.override("focus on the release");
        relay.start();

        Await.until("two calls", () -> relay.coordinator.requests.size() >= 2);
        CoordinatorRequest first = relay.coordinator.requests.get(0);
        assertEquals("[operator JC] focus on the release", ScriptedCoordinator.lastUserText(first));
        assertEquals("reply to: [operator JC] focus on the release", relay.take("lead"));
        assertEquals("reply to: [session s1] an agent report", relay.take("s1"));
        assertFalse(Files.exists(relay.home.jcInputFile()));
        assertEquals(2, relay.coordinator.requests.size(), "the override must not be sent twice");
    }

    @Test
    void at_session_override_is_dispatched_directly_without_an_api_call() {
        harness().start();
        relay.override("@worker-2:   please rebase on main\nthen run the tests");
        assertEquals("please rebase on main\nthen run the tests", relay.take("worker-2"));
        assertEquals(0, relay.coordinator.requests.size());
    }

    @Test
    void needs_jc_reply_pauses_notifies_urgently_and_an_override_clears_it() {
        harness().start();
        relay.coordinator.thenReply("[NEEDS-JC] Should we drop the legacy API?");
        relay.send("s1", "question about the API");
        Await.until("needs_jc state", () -> relay.status() != null && "needs_jc".equals(relay.status().state().wire()));
        assertEquals("[NEEDS-JC] Should we drop the legacy API?", relay.status().lastNeedsJcText());
        Item question = relay.open(Kind.NEEDS_JC).get(0);
        assertEquals(Severity.URGENT, question.severity());
        assertTrue(question.text().contains("legacy API"), question.text());
        assertEquals(Optional.of("s1"), question.session());
        assertFalse(relay.input("s1").isPresent(), "a needs_jc reply is not sent to the agent");

        Path second = relay.send("s1", "second report");
        Await.until("status shows it queued", () -> relay.status().queueDepth() == 1);
        assertEquals(1, relay.coordinator.requests.size(), "no envelope is taken while needs_jc");

        relay.override("Yes, drop it.");
        Await.until("running again", () -> "running".equals(relay.status().state().wire()));
        Await.until("the question resolved", () -> relay.open(Kind.NEEDS_JC).isEmpty());
        assertEquals("the relay runs again", relay.inbox().find(question.code()).orElseThrow().resolution().orElseThrow());
        Await.until("second report taken", () -> !Files.exists(second));
        assertEquals(3, relay.coordinator.requests.size(), "the operator's turn, then the queued report");
    }

    @Test
    void pause_stops_taking_envelopes_and_resume_goes_on() {
        harness().start();
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.PAUSE);
        Await.until("paused", () -> relay.status() != null && "paused".equals(relay.status().state().wire()));
        relay.send("s1", "while paused");
        Await.until("status shows the queue", () -> relay.status().queueDepth() == 1);
        assertEquals(0, relay.coordinator.requests.size());

        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.RESUME);
        assertEquals("reply to: [session s1] while paused", relay.take("s1"));
    }

    @Test
    void a_bad_envelope_is_rejected_at_once_even_while_paused() {
        harness().start();
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.PAUSE);
        Await.until("paused", () -> relay.status() != null && "paused".equals(relay.status().state().wire()));
        relay.send("s1", "a good one waits");
        relay.raw("bad.json", "{\"session_id\": \"s1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Await.until("bad.json rejected", () -> Files.exists(relay.home.rejectedDir().resolve("bad.json.reason")));
        Await.until("status counts it", () -> relay.status().rejectedCount() == 1);
        assertEquals(1, relay.queued(), "the good envelope still waits for the resume");
        assertEquals(0, relay.coordinator.requests.size());
    }

    @Test
    void a_retryable_failure_keeps_the_envelope_until_its_turn_completes() {
        harness().start();
        relay.coordinator.thenFail(529, true);
        Path envelope = relay.send("s1", "flaky");
        Await.until("failure seen", () -> relay.coordinator.requests.size() >= 1);
        assertTrue(Files.exists(envelope), "the envelope stays queued while its turn is retried");
        assertEquals("reply to: [session s1] flaky", relay.take("s1"));
        assertFalse(Files.exists(envelope));
        long userTurns = relay.journalLines().stream().filter(l -> l.contains("\"type\":\"user\"")).count();
        assertEquals(1, userTurns, "a retry does not record the user turn twice");
    }

    @Test
    void a_refused_call_holds_the_relay_in_error_until_resume_and_loses_nothing() {
        harness().start();
        relay.coordinator.thenFail(401, false);
        Path envelope = relay.send("s1", "needs a valid key");
        Await.until("error state", () -> relay.status() != null && "error".equals(relay.status().state().wire()));
        assertTrue(relay.status().lastError().contains("401"));
        assertTrue(Files.exists(envelope));
        Await.until("an inbox item", () -> relay.open(Kind.RELAY_ERROR).size() == 1);
        assertTrue(relay.open(Kind.RELAY_ERROR).get(0).text().contains("401"));
        assertEquals(1, relay.coordinator.requests.size(), "401 is not retried");

        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.RESUME);
        assertEquals("reply to: [session s1] needs a valid key", relay.take("s1"));
        Await.until("the error item resolved", () -> relay.open(Kind.RELAY_ERROR).isEmpty());
    }

    @Test
    void without_an_api_key_envelopes_wait_and_the_status_says_why_then_a_key_in_env_and_resume_sends_them() {
        harness().withoutApiKey().config("coordinator: anthropic\n").start();   // auto would ask the operator
        Path envelope = relay.send("s1", "anyone there?");
        Await.until("error about the key", () -> relay.status() != null && relay.status().lastError() != null
                && relay.status().lastError().contains("ANTHROPIC_API_KEY"));
        assertTrue(Files.exists(envelope));
        assertFalse(relay.status().apiKeyPresent());
        Await.until("an inbox item says so", () -> relay.open(Kind.RELAY_ERROR).size() == 1);
        assertEquals("Relay stopped: no API key", relay.open(Kind.RELAY_ERROR).get(0).title());

        LoopHarness.write(relay.home.envFile(), "ANTHROPIC_API_KEY=sk-ant-added-later-0123456789\n");
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.RESUME);
        assertEquals("reply to: [session s1] anyone there?", relay.take("s1"));
        Await.until("the item resolved itself", () -> relay.open(Kind.RELAY_ERROR).isEmpty());
    }

    @Test
    void an_envelope_id_already_taken_is_not_taken_twice() {
        harness().start();
        relay.send("s1", "first", "job-7");
        relay.take("s1");
        Await.until("first done", () -> relay.queued() == 0);
        relay.send("s1", "same id again", "job-7");
        Await.until("duplicate rejected", () -> relay.events.stream().anyMatch(e -> e instanceof RelayEvent.EnvelopeRejected));
        assertEquals(1, relay.coordinator.requests.size());
        RelayEvent.EnvelopeRejected r = (RelayEvent.EnvelopeRejected) relay.events.stream()
                .filter(e -> e instanceof RelayEvent.EnvelopeRejected).findFirst().orElseThrow();
        assertTrue(r.rejection().reason().contains("already taken"), r.rejection().reason());
    }

    @Test
    void history_over_the_cap_is_summarized_into_a_summary_and_the_recent_turns() {
        harness().config("history_char_cap: 2000\nkeep_recent_turns: 4\n").start();
        relay.coordinator.byDefault(r -> r.system().contains("Summarize") ? "SUMMARY OF EARLIER WORK" : "ok");
        for (int i = 0; i < 8; i++) {
            relay.send("s1", "report " + i + " " + "x".repeat(400));
            relay.take("s1");
        }
        Await.until("summarized", () -> relay.events.stream().anyMatch(e -> e instanceof RelayEvent.HistorySummarized));
        Await.until("queue drained", () -> relay.queued() == 0);
        List<String> lines = relay.journalLines();
        assertTrue(lines.get(0).contains("\"type\":\"summary\"") && lines.get(0).contains("SUMMARY OF EARLIER WORK"),
                lines.get(0));
        CoordinatorRequest last = relay.coordinator.requests.get(relay.coordinator.requests.size() - 1);
        assertTrue(last.messages().get(0).text().startsWith("[summary of the earlier conversation]"));
        assertTrue(relay.loop().snapshot() == null || relay.loop().snapshot().historyChars() < 4000);
    }

    @Test
    void empty_operator_input_is_removed_with_a_reason_and_the_relay_goes_on() {
        harness().start();
        relay.override("   \n");
        Await.until("problem reported", () -> relay.events.stream()
                .anyMatch(e -> e instanceof RelayEvent.Problem p && p.message().contains("jc_input.txt was empty")));
        assertFalse(Files.exists(relay.home.jcInputFile()));
        relay.send("s1", "still alive");
        assertEquals("reply to: [session s1] still alive", relay.take("s1"));
    }

    @Test
    void a_corrupt_history_is_kept_aside_reported_and_the_relay_starts() throws Exception {
        relay = new LoopHarness(dir, Clock.systemUTC());
        LoopHarness.write(relay.home.conversationFile(),
                "{\"type\":\"user\",\"speaker\":\"s1\",\"key\":\"k1\",\"at\":\"2026-01-01T00:00:00Z\",\"content\":\"kept\"}\n"
                        + "{\"type\":\"assistant\",\"key\":\"k1\",\"at\":\"2026-01-01T00:00:01Z\",\"content\":\"also kept\"}\n"
                        + "this line is garbage\n{\"type\":\"user\",\"content\":\"trunc");
        relay.start();
        Await.until("damage reported", () -> relay.events.stream()
                .anyMatch(e -> e instanceof RelayEvent.Problem p && p.message().contains("damaged")));
        try (var files = Files.list(relay.home.stateDir())) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("conversation.jsonl.damaged-")));
        }
        relay.send("s1", "after repair");
        relay.take("s1");
        CoordinatorRequest req = relay.coordinator.requests.get(0);
        assertEquals("[session s1] kept", req.messages().get(0).text());
        assertEquals(3, req.messages().size());
    }

    @Test
    void a_stuck_queue_raises_one_notification_per_threshold() {
        relay = new LoopHarness(dir, Clock.systemUTC());
        relay.config("stuck_queue_threshold_s: 1\n").start();
        new ControlFiles(relay.home.controlDir()).submit(ControlFiles.Command.PAUSE);
        Await.until("paused", () -> relay.status() != null && "paused".equals(relay.status().state().wire()));
        relay.send("s1", "waiting forever");
        Await.until("stuck item", Duration.ofSeconds(5), () -> !relay.open(Kind.STUCK_QUEUE).isEmpty());
        assertEquals(1, relay.open(Kind.STUCK_QUEUE).size());
        assertEquals(1, relay.open(Kind.STUCK_QUEUE).get(0).count(), "raised once within the threshold");
    }

    @Test
    void turns_are_recorded_with_speakers_the_coordinator_can_tell_apart() {
        harness().config("sessions:\n  - id: lead\n").start();
        relay.send("alpha", "from alpha");
        relay.take("alpha");
        relay.override("from the operator");
        relay.take("lead");
        List<String> speakers = relay.events.stream()
                .filter(e -> e instanceof RelayEvent.TurnRecorded t && t.turn().role() == Turn.Role.USER)
                .map(e -> ((RelayEvent.TurnRecorded) e).turn().speaker()).collect(Collectors.toList());
        assertEquals(List.of("alpha", Turn.OPERATOR), speakers);
    }
}
