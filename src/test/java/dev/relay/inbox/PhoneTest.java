package dev.relay.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.notify.NtfyClient;
import dev.relay.testing.Await;
import dev.relay.testing.FakeNtfy;
import dev.relay.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbox on the phone over real HTTP, against a fake ntfy that follows its documented API; the test plays the
 * ntfy app: it performs the http actions the notifications describe, and publishes text to the reply topic.
 */
class PhoneTest {
    static final String TOPIC = "relay-alerts-test";
    static final String REPLY = "relay-replies-test";
    static final String TOKEN = "tk_relaytesttoken0123456789abc";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    FakeNtfy ntfy;
    ManualClock clock;
    Inbox inbox;
    Phone phone;
    final AtomicInteger acted = new AtomicInteger();

    @BeforeEach
    void setUp() {
        ntfy = new FakeNtfy().keepaliveInterval(Duration.ofMillis(200)).requireToken(TOKEN);
        clock = new ManualClock(Instant.now());
        inbox = new Inbox(dir.resolve("state/inbox.json"), clock);
    }

    @AfterEach
    void tearDown() {
        if (phone != null) {
            phone.close();
        }
        ntfy.close();
    }

    Phone phone() {
        phone = new Phone(inbox, new NtfyClient(ntfy.url(), Optional.of(TOKEN)),
                new Phone.Config(TOPIC, REPLY, Optional.of(TOKEN), Duration.ofMinutes(30), 2), clock, acted::incrementAndGet);
        return phone;
    }

    Item question() {
        return inbox.raise(new Inbox.Raise(Kind.NEEDS_JC, Severity.URGENT, "needs_jc:s1", Optional.of("s1"),
                "Relay needs JC about s1", "[NEEDS-JC] may I drop the users table?"));
    }

    /** Listening, and the reply topic's stream is open (a message published now is read). */
    void listening() {
        phone.startListening();
        Await.until("subscribed to the reply topic", () -> ntfy.subscribers(REPLY) == 1);
    }

    @Test
    void an_item_is_pushed_with_buttons_that_publish_to_the_reply_topic_with_a_one_time_value() throws Exception {
        Item q = question();
        assertEquals(1, phone().pushDue());
        FakeNtfy.Message m = ntfy.messages(TOPIC).get(0);
        assertEquals("Relay needs JC about s1", m.title());
        assertEquals(5, m.priority());
        assertEquals(List.of("rotating_light"), m.tags());
        assertTrue(m.message().startsWith("[NEEDS-JC] may I drop the users table?"), m.message());
        assertTrue(m.message().contains(q.code() + " · answer by publishing \"" + q.code() + ": your answer\" to " + REPLY),
                m.message());
        assertEquals(List.of("Resume", "Snooze 1 h", "Acknowledge"), m.actions().stream().map(FakeNtfy.Action::label).toList());
        FakeNtfy.Action resume = m.action("Resume");
        assertEquals("http", resume.action());
        assertEquals(ntfy.url() + "/" + REPLY, resume.url());
        assertEquals("POST", resume.method());
        assertEquals("Bearer " + TOKEN, resume.headers().get("Authorization"));
        JsonNode body = JSON.readTree(resume.body());
        assertEquals(q.code(), body.get("code").asText());
        assertEquals("resume", body.get("action").asText());
        assertEquals(inbox.read().find(q.code()).orElseThrow().nonce(), body.get("nonce").asText());
        assertEquals(0, phone.pushDue(), "pushed once, not again until it is due");
    }

    @Test
    void a_question_answered_by_button_and_the_second_press_is_ignored_with_a_note() throws Exception {
        Item q = question();
        phone().pushDue();
        listening();
        FakeNtfy.Message m = ntfy.messages(TOPIC).get(0);
        assertEquals(200, ntfy.phone().tap(m, "Resume"));
        Await.until("resumed from the phone", () -> !inbox.read().find(q.code()).orElseThrow().isOpen());
        Item done = inbox.read().find(q.code()).orElseThrow();
        assertEquals(Source.PHONE, done.history().get(0).source());
        assertEquals(Action.RESUME, done.history().get(0).action());
        Await.until("the relay woken", () -> acted.get() > 0);   // after the inbox's write, on the listener's thread
        assertEquals(1, acted.get());

        assertEquals(200, ntfy.phone().tap(m, "Snooze 1 h"));   // the same notification, pressed again
        Await.until("told on the phone", () -> inbox.read().outgoing().stream().anyMatch(n -> n.title().equals("Not applied")));
        assertEquals(1, inbox.read().find(q.code()).orElseThrow().history().size(), "nothing applied twice");
        phone.pushDue();
        assertTrue(ntfy.messages(TOPIC).stream().anyMatch(n -> n.title().equals("Not applied")
                && n.message().contains("no longer open: Resumed from the phone")), ntfy.messages(TOPIC).toString());
    }

    @Test
    void a_text_answer_code_colon_text_is_the_operators_answer() {
        Item q = question();
        phone().pushDue();
        listening();
        ntfy.publish(REPLY, q.code() + ": keep it, archive the rows older than March");
        Await.until("answered", () -> !inbox.read().find(q.code()).orElseThrow().isOpen());
        Item.Entry e = inbox.read().find(q.code()).orElseThrow().history().get(0);
        assertEquals(Action.ANSWER, e.action());
        assertEquals(Optional.of("keep it, archive the rows older than March"), e.text());
        assertFalse(e.applied(), "the relay carries it out");
    }

    @Test
    void a_forged_or_unrelated_message_on_the_reply_topic_changes_nothing() {
        Item q = question();
        phone().pushDue();
        listening();
        ntfy.publish(REPLY, "{\"code\":\"" + q.code() + "\",\"action\":\"resume\",\"nonce\":\"guessed\"}");
        ntfy.publish(REPLY, "{\"code\":\"" + q.code() + "\",\"action\":\"resume\"}");
        ntfy.publish(REPLY, "ZZZZZ: answer to nothing");
        ntfy.publish(REPLY, "hello");
        Await.until("all four read", () -> inbox.read().replySince().filter(id -> id.equals(lastId(REPLY))).isPresent());
        Item still = inbox.read().find(q.code()).orElseThrow();
        assertTrue(still.isOpen());
        assertTrue(still.history().isEmpty());
        assertEquals(0, acted.get());
    }

    String lastId(String topic) {
        List<FakeNtfy.Message> all = ntfy.messages(topic);
        return all.get(all.size() - 1).id();
    }

    @Test
    void an_answer_given_while_the_relay_was_down_is_applied_once_when_it_comes_back() {
        Item q = question();
        phone().pushDue();
        listening();
        phone.close();   // the relay stops
        Await.until("unsubscribed", () -> ntfy.subscribers(REPLY) == 0);
        FakeNtfy.Message push = ntfy.messages(TOPIC).get(0);
        ntfy.publish(REPLY, q.code() + ": yes, go on");   // answered while nobody listens

        phone();   // the relay starts again
        listening();
        Await.until("applied", () -> !inbox.read().find(q.code()).orElseThrow().isOpen());
        phone.close();

        phone();   // and once more: the message is not applied again
        listening();
        ntfy.publish(REPLY, "{\"code\":\"" + q.code() + "\",\"action\":\"resume\",\"nonce\":\"x\"}");
        Await.until("read on past it", () -> inbox.read().replySince().filter(id -> id.equals(lastId(REPLY))).isPresent());
        assertEquals(1, inbox.read().find(q.code()).orElseThrow().history().size());
        assertEquals(Optional.of("yes, go on"), inbox.read().find(q.code()).orElseThrow().history().get(0).text());
        assertTrue(push.title().contains("needs JC"));
        assertTrue(ntfy.requests("GET", "/" + REPLY + "/json").stream().skip(1).allMatch(r -> r.query().contains("since=")),
                "every reconnection reads on from where it was");
    }

    @Test
    void an_answer_before_the_relay_ever_read_the_reply_topic_is_found_from_the_items_time() {
        Item q = question();   // pushed by a relay that died before its listener first connected
        ntfy.publish(REPLY, q.code() + ": go ahead");
        phone();
        listening();
        Await.until("applied", () -> !inbox.read().find(q.code()).orElseThrow().isOpen());
        assertTrue(ntfy.requests("GET", "/" + REPLY + "/json").get(0).query()
                .contains("since=" + q.createdAt().getEpochSecond()));
    }

    @Test
    void a_server_that_ends_each_stream_at_once_is_not_asked_again_in_a_tight_loop() throws Exception {
        try (okhttp3.mockwebserver.MockWebServer notNtfy = new okhttp3.mockwebserver.MockWebServer()) {
            AtomicInteger gets = new AtomicInteger();
            notNtfy.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
                @Override
                public okhttp3.mockwebserver.MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest r) {
                    gets.incrementAndGet();
                    return new okhttp3.mockwebserver.MockResponse().setResponseCode(200).setBody("");
                }
            });
            notNtfy.start();
            phone = new Phone(inbox, new NtfyClient(notNtfy.url("/").toString(), Optional.empty()),
                    new Phone.Config(TOPIC, REPLY, Optional.empty(), Duration.ofMinutes(30), 2), clock, acted::incrementAndGet);
            phone.startListening();
            Await.until("asked once", () -> gets.get() >= 1);
            Thread.sleep(2000);
            assertTrue(gets.get() <= 3, "backed off after streams that ended at once: " + gets.get() + " requests in 2 s");
            phone.close();
        }
    }

    @Test
    void unacknowledged_items_are_pushed_again_higher_until_the_limit_and_acknowledging_stops_it() {
        Item q = question();
        Item stuck = inbox.raise(new Inbox.Raise(Kind.STUCK_QUEUE, Severity.HIGH, "stuck_queue", Optional.empty(),
                "Relay queue stuck", "3 envelopes waiting"));
        phone().pushDue();
        assertEquals(2, ntfy.messages(TOPIC).size());
        inbox.act(Inbox.Request.of(q.code(), Action.ACK, Source.CONSOLE));

        clock.advance(Duration.ofMinutes(30));
        assertEquals(1, phone.pushDue(), "the stuck queue again; the acknowledged question not");
        FakeNtfy.Message again = ntfy.messages(TOPIC).get(2);
        assertEquals("Again: Relay queue stuck", again.title());
        assertEquals(5, again.priority(), "one higher than its first push (4)");
        clock.advance(Duration.ofMinutes(30));
        assertEquals(1, phone.pushDue());
        clock.advance(Duration.ofMinutes(30));
        assertEquals(0, phone.pushDue(), "max_renotify 2: the first push and two more");
        assertEquals(3, inbox.read().find(stuck.code()).orElseThrow().pushes());
    }

    @Test
    void ntfy_down_then_back_loses_nothing_and_says_since_when_it_was_unreachable() {
        question();
        inbox.note(new Inbox.NoteText("Relay writes its files again", "after 3 failures", 3, List.of()));
        ntfy.down(503);
        Instant downAt = clock.instant();
        assertEquals(0, phone().pushDue());
        assertEquals(Optional.of(downAt), inbox.read().phoneUnreachableSince());
        assertTrue(inbox.read().phoneError().orElseThrow().contains("503"), inbox.read().phoneError().toString());
        assertEquals(2, inbox.read().pushesWaiting());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, phone.pushDue(), "still down");

        ntfy.refuseConnections();
        clock.advance(Duration.ofSeconds(5));
        assertEquals(0, phone.pushDue());
        assertTrue(inbox.read().phoneError().isPresent());
        ntfy.acceptConnections();
        ntfy.up();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(2, phone.pushDue(), "both kept and sent once ntfy takes them again");
        assertEquals(Optional.empty(), inbox.read().phoneUnreachableSince());
        assertEquals(0, inbox.read().pushesWaiting());
        assertEquals(List.of("Relay needs JC about s1", "Relay writes its files again"),
                ntfy.messages(TOPIC).stream().map(FakeNtfy.Message::title).sorted().toList());
    }

    @Test
    void the_console_and_the_phone_at_once_the_first_wins_and_the_phone_is_told() throws Exception {
        Item q = question();
        phone().pushDue();
        listening();
        Inbox otherConsole = new Inbox(dir.resolve("state/inbox.json"), clock);
        Inbox.Outcome first = inbox.act(Inbox.Request.of(q.code(), Action.ANSWER, "from console 1", Source.CONSOLE));
        Inbox.Outcome second = otherConsole.act(Inbox.Request.of(q.code(), Action.ACK, Source.CONSOLE));
        ntfy.phone().tap(ntfy.messages(TOPIC).get(0), "Resume");
        assertTrue(first instanceof Inbox.Outcome.Applied);
        assertTrue(second instanceof Inbox.Outcome.Refused r && r.reason().contains("Answered from the console"),
                second.toString());
        Await.until("the phone told", () -> inbox.read().outgoing().stream().anyMatch(n -> n.title().equals("Not applied")));
        assertEquals(1, inbox.read().find(q.code()).orElseThrow().history().size());
    }
}
