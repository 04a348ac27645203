package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.anthropic.ApiUsage;
import dev.relay.anthropic.CoordinatorReply;
import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.anthropic.CoordinatorRequest.ToolCall;
import dev.relay.state.RelayState;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.testing.BatchLayout;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports that wait are answered together, through the reply tool, stepped on a manual clock. */
class BatchTurnTest {
    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.now());
    LoopHarness relay;
    RelayLoop loop;

    static final String SESSIONS = "sessions:\n  - id: s1\n  - id: s2\n  - id: s3\n";

    void stepping(String config) {
        stepping(config, (step, key) -> {});
    }

    /** A relay on the test's home (again, after a restart), stepped on this thread, with faults before its steps. */
    void stepping(String config, java.util.function.BiConsumer<TurnStep, String> faults) {
        relay = new LoopHarness(dir, clock);
        relay.config(SESSIONS + config);
        loop = relay.build();
        loop.injectFaults(faults);
        loop.startStepping();
    }

    /** The relay stops (as a crash would leave it: nothing is finished on the way out) and a new one starts. */
    void restart(String config) {
        relay.close();
        stepping(config);
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    static CoordinatorReply calls(ToolCall... calls) {
        return new CoordinatorReply("", "tool_use", "fake", "req_b", new ApiUsage(10, 5, 0, 0, 0, 0), List.of(calls));
    }

    /** The envelope as written now by the test's clock (the relay reads when a report came from its file's time). */
    void written(Path envelope) {
        try {
            Files.setLastModifiedTime(envelope, java.nio.file.attribute.FileTime.from(clock.instant()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    CoordinatorRequest request(int i) {
        return relay.coordinator.requests.get(i);
    }

    static String lastText(CoordinatorRequest r) {
        return r.messages().get(r.messages().size() - 1).text();
    }

    @Test
    void reports_that_wait_are_one_turn_answered_per_session_through_the_reply_tool() {
        stepping("batch:\n  linger_ms: 0\n");
        relay.send("s1", "build is green");
        relay.send("s2", "tests are red");
        loop.stepOnce();

        assertEquals(1, relay.coordinator.requests.size(), "one call for both reports");
        CoordinatorRequest r = request(0);
        assertEquals(CoordinatorRequest.Tools.REQUIRED, r.tools());
        List<BatchLayout.Report> reports = BatchLayout.reports(lastText(r));
        assertEquals(List.of("s1", "s2"), reports.stream().map(BatchLayout.Report::session).toList());
        assertEquals(List.of("build is green", "tests are red"), reports.stream().map(BatchLayout.Report::text).toList());
        assertTrue(lastText(r).startsWith("2 reports arrived together. Answer each session with the reply_to_session tool"),
                lastText(r));
        assertEquals("reply to: [session s1] build is green", relay.input("s1").orElseThrow());
        assertEquals("reply to: [session s2] tests are red", relay.input("s2").orElseThrow());
        assertEquals(0, relay.queued());

        List<String> journal = relay.journalLines();
        assertEquals(2, journal.size(), String.join("\n", journal));
        assertTrue(journal.get(0).contains("\"reports\":[{\"session\":\"s1\"") && journal.get(0).contains("{\"session\":\"s2\""),
                journal.get(0));
        assertTrue(journal.get(1).contains("\"answers\":[{\"id\":\"toolu_1\",\"session\":\"s1\""), journal.get(1));
    }

    @Test
    void the_next_request_answers_each_tool_call_before_its_text_and_keeps_offering_the_same_tool() {
        stepping("batch:\n  linger_ms: 0\n");
        relay.send("s1", "one");
        relay.send("s2", "two");
        loop.stepOnce();
        relay.take("s1");
        relay.send("s1", "three");
        loop.stepOnce();

        CoordinatorRequest second = request(1);
        assertEquals(CoordinatorRequest.Tools.OFFERED, second.tools(), "a single report is a plain-text turn");
        CoordinatorRequest.Message assistant = second.messages().get(1);
        assertEquals(List.of("s1", "s2"), assistant.calls().stream().map(ToolCall::session).toList());
        CoordinatorRequest.Message user = second.messages().get(2);
        assertEquals(List.of("toolu_1", "toolu_2"), user.results().stream().map(CoordinatorRequest.ToolResult::toolUseId).toList());
        assertEquals("sent to session s1", user.results().get(0).content());
        assertEquals("[session s1] three", user.text());
        assertEquals("reply to: [session s1] three", relay.input("s1").orElseThrow());
    }

    @Test
    void a_session_the_reply_leaves_out_gets_a_turn_of_its_own_and_one_it_names_outside_the_batch_gets_nothing() {
        stepping("batch:\n  linger_ms: 0\n");
        relay.coordinator.then(r -> calls(new ToolCall("toolu_a", "s1", "go on"), new ToolCall("toolu_b", "s9", "who?")));
        relay.send("s1", "one");
        relay.send("s2", "two");
        loop.stepOnce();
        loop.stepOnce();

        assertEquals("go on", relay.input("s1").orElseThrow());
        assertFalse(Files.exists(relay.home.dispatchDir(dev.relay.core.SessionId.of("s9"))), "s9 is not in the batch");
        assertEquals(2, relay.coordinator.requests.size());
        CoordinatorRequest followUp = request(1);
        assertEquals(CoordinatorRequest.Tools.OFFERED, followUp.tools());
        CoordinatorRequest.Message last = followUp.messages().get(followUp.messages().size() - 1);
        assertTrue(last.text().startsWith("[relay] The reply to the reports above did not answer session s2"), last.text());
        assertEquals(2, last.results().size(), "both calls answered, as the API requires");
        assertTrue(last.results().get(1).content().startsWith("not sent: \"s9\""), last.results().get(1).content());
        assertTrue(relay.input("s2").orElseThrow().startsWith("reply to: [relay] The reply to the reports above"));
        assertEquals(0, relay.queued());
    }

    @Test
    void the_status_names_the_reports_the_last_turn_answered_and_the_one_it_left_for_a_follow_up() {
        stepping("batch:\n  linger_ms: 0\n");
        relay.coordinator.then(r -> calls(new ToolCall("toolu_a", "s1", "go on")));
        relay.send("s1", "one");
        relay.send("s2", "two");
        loop.stepOnce();

        // what the status builds from the journal the relay wrote
        List<dev.relay.conversation.Turn> turns = relay.journalLines().stream()
                .map(l -> dev.relay.conversation.ConversationStore.parseLine(l).orElseThrow()).toList();
        dev.relay.state.Status.LastTurn batch = StatusBuilder.lastTurn(turns.subList(0, 2)).orElseThrow();
        assertEquals(List.of("s1", "s2"), batch.reports().stream().map(dev.relay.state.Status.Report::session).toList());
        assertEquals(List.of(true, false), batch.reports().stream().map(dev.relay.state.Status.Report::replied).toList());

        assertEquals(4, turns.size(), "the follow-up asked and answered in the same step");
        clock.advance(java.time.Duration.ofSeconds(2));
        loop.stepOnce();   // the status is written at most each 200 ms of the clock
        dev.relay.state.Status.LastTurn followUp = relay.status().lastTurn();
        assertEquals(1, followUp.reports().size());
        assertEquals("s2", followUp.reports().get(0).session());
        assertTrue(followUp.reports().get(0).replied());
    }

    @Test
    void a_part_that_asks_for_jc_is_held_and_pauses_the_relay_while_the_other_session_gets_its_answer() {
        stepping("batch:\n  linger_ms: 0\n");
        relay.coordinator.then(r -> calls(new ToolCall("t1", "s1", "[NEEDS-JC] may I drop the users table?"),
                new ToolCall("t2", "s2", "carry on")));
        relay.send("s1", "migration ready");
        relay.send("s2", "docs done");
        loop.stepOnce();
        loop.stepOnce();

        assertEquals("carry on", relay.input("s2").orElseThrow());
        assertEquals(Optional.empty(), relay.input("s1"), "held for the operator");
        assertEquals(RelayState.NEEDS_JC, relay.status().state());
        assertEquals("[NEEDS-JC] may I drop the users table?", relay.status().lastNeedsJcText());
        assertEquals(List.of("Relay needs JC about s1"), relay.open(Kind.NEEDS_JC).stream().map(Item::title).toList());
        assertEquals(Optional.of("s1"), relay.open(Kind.NEEDS_JC).get(0).session());
        assertEquals(0, relay.queued());
    }

    @Test
    void while_loaded_a_turn_lingers_for_more_reports_and_a_lone_report_never_waits() {
        stepping("batch:\n  linger_ms: 1000\n");
        relay.send("s1", "alone");
        loop.stepOnce();
        assertEquals(1, relay.coordinator.requests.size(), "not loaded: a lone report is answered at once");
        relay.take("s1");

        relay.send("s1", "a");
        relay.send("s2", "b");
        loop.stepOnce();
        assertEquals(2, relay.coordinator.requests.size(), "two waiting: one batch, at once");
        relay.take("s1");
        relay.take("s2");

        relay.send("s1", "c");
        loop.stepOnce();
        clock.advance(Duration.ofMillis(999));
        loop.stepOnce();
        assertEquals(2, relay.coordinator.requests.size(), "loaded: the turn waits for others to join");
        relay.send("s3", "d");
        loop.stepOnce();
        assertEquals(2, relay.coordinator.requests.size());
        clock.advance(Duration.ofMillis(1));
        loop.stepOnce();
        assertEquals(3, relay.coordinator.requests.size());
        assertEquals(List.of("s1", "s3"), BatchLayout.reports(lastText(request(2))).stream().map(BatchLayout.Report::session).toList());
        relay.take("s1");
        relay.take("s3");

        // still loaded: a report waiting when the linger ends is a batched turn of one (the request's form holds)
        written(relay.send("s2", "e"));
        clock.advance(Duration.ofMillis(1000));
        loop.stepOnce();
        assertEquals(4, relay.coordinator.requests.size());
        assertEquals(CoordinatorRequest.Tools.REQUIRED, request(3).tools());
        assertTrue(lastText(request(3)).startsWith("1 report arrived. Answer each session"), lastText(request(3)));
        assertEquals("reply to: [session s2] e", relay.take("s2"));

        // a report that comes after the linger finds the relay quiet: a plain-text turn
        clock.advance(Duration.ofMillis(1001));
        written(relay.send("s2", "f"));
        loop.stepOnce();
        assertEquals(5, relay.coordinator.requests.size());
        assertEquals(CoordinatorRequest.Tools.OFFERED, request(4).tools());
        assertEquals("[session s2] f", lastText(request(4)));
    }

    @Test
    void max_envelopes_1_keeps_one_report_per_turn_with_no_tools_in_the_request() {
        stepping("batch:\n  max_envelopes: 1\n");
        relay.send("s1", "one");
        relay.send("s2", "two");
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(2, relay.coordinator.requests.size());
        assertEquals(CoordinatorRequest.Tools.OFF, request(0).tools());
        assertEquals("[session s1] one", lastText(request(0)));
        assertEquals("reply to: [session s2] two", relay.input("s2").orElseThrow());
    }

    @Test
    void a_batch_takes_one_report_per_session_and_no_more_than_max_chars() {
        stepping("batch:\n  linger_ms: 0\n  max_chars: 10\n");
        relay.send("s1", "12345");
        relay.send("s1", "second of s1");
        relay.send("s2", "1234");
        relay.send("s3", "this one is too long for the batch");
        loop.stepOnce();
        assertEquals(List.of("s1", "s2"), BatchLayout.reports(lastText(request(0))).stream().map(BatchLayout.Report::session).toList());
        relay.take("s1");
        relay.take("s2");
        loop.stepOnce();
        assertEquals("[session s1] second of s1", lastText(request(1)), "s1's next report, alone: s3's would pass max_chars");
        relay.take("s1");
        loop.stepOnce();
        assertEquals("[session s3] this one is too long for the batch", lastText(request(2)),
                "the oldest is taken whatever its length");
    }

    @Test
    void after_a_restart_an_answered_batch_is_finished_once_and_an_unanswered_one_is_asked_again_under_its_key() {
        stepping("batch:\n  linger_ms: 0\n", (step, key) -> {
            if (step == TurnStep.REPLY_HELD) {
                throw new IllegalStateException("crash before any reply is held");
            }
        });
        relay.send("s1", "one");
        relay.send("s2", "two");
        loop.stepOnce();
        assertEquals(1, relay.coordinator.requests.size());
        restart("batch:\n  linger_ms: 0\n");
        loop.stepOnce();
        assertEquals(0, relay.coordinator.requests.size(), "answered before the restart: not asked again");
        assertEquals("reply to: [session s1] one", relay.input("s1").orElseThrow());
        assertEquals("reply to: [session s2] two", relay.input("s2").orElseThrow());
        assertEquals(0, relay.queued());
        relay.take("s1");
        relay.take("s2");

        // now a batch whose call never came back
        relay.coordinator.thenFail(529, true);
        relay.send("s1", "three");
        relay.send("s3", "four");
        loop.stepOnce();
        restart("batch:\n  linger_ms: 0\n");
        loop.stepOnce();
        assertEquals(1, relay.coordinator.requests.size());
        assertEquals(CoordinatorRequest.Tools.REQUIRED, request(0).tools());
        assertEquals("reply to: [session s3] four", relay.input("s3").orElseThrow());
        long batchTurns = relay.journalLines().stream().filter(l -> l.contains("\"reports\"")).count();
        assertEquals(2, batchTurns, "the unanswered batch was recorded once and asked again");
    }

    @Test
    void after_a_restart_a_report_the_batch_left_out_is_still_asked_for() {
        stepping("batch:\n  linger_ms: 0\n");
        relay.coordinator.then(r -> calls(new ToolCall("t1", "s1", "only s1")));
        relay.coordinator.thenFail(400, false);   // the follow-up is refused: held until resume
        relay.send("s1", "one");
        relay.send("s2", "two");
        loop.stepOnce();
        loop.stepOnce();
        assertEquals("only s1", relay.input("s1").orElseThrow());
        restart("batch:\n  linger_ms: 0\n");
        loop.stepOnce();
        assertEquals(1, relay.coordinator.requests.size());
        assertTrue(lastText(request(0)).startsWith("[relay] The reply to the reports above did not answer session s2"));
        assertTrue(relay.input("s2").orElseThrow().startsWith("reply to: [relay]"));
        assertEquals("only s1", relay.input("s1").orElseThrow(), "s1 got its answer once");
        assertEquals(0, relay.queued());
    }
}
