package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import dev.relay.testing.FakeNtfy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator away from the desk, end to end: the relay as its users run it (`relay run --daemon`), a fake Messages
 * API and a fake ntfy over real HTTP, and the test as the phone: it reads the notifications, performs their buttons'
 * http actions and publishes text answers to the reply topic, once while the relay is killed.
 */
@Tag("process")
class PhoneProcessTest {
    private static final String TOKEN = "tk_phoneprocesstest0123456789";
    private static final String TOPIC = "relay-alerts-proc";
    private static final String REPLY = "relay-replies-proc";

    @TempDir
    Path dir;

    String cli(Path home, String... args) {
        return RelayProcess.cli(home, args);
    }

    static String read(Path file) {
        return RelayProcess.read(file);
    }

    @Test
    void a_question_answered_from_the_phone_while_the_relay_was_killed_then_one_resumed_by_its_button() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        AtomicInteger calls = new AtomicInteger();
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC());
             FakeNtfy ntfy = new FakeNtfy().requireToken(TOKEN).keepaliveInterval(Duration.ofSeconds(1))) {
            api.replies(req -> switch (calls.incrementAndGet()) {
                case 1, 3 -> "[NEEDS-JC] may I drop the users table?";
                case 2 -> "Archiving the table instead.";
                default -> "carry on";
            });
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-phone-test-0123456789", "ANTHROPIC_BASE_URL",
                    api.baseUrl(), "NTFY_SERVER", ntfy.url(), "NTFY_TOPIC", TOPIC, "NTFY_REPLY_TOPIC", REPLY,
                    "NTFY_TOKEN", TOKEN);
            Path out1 = dir.resolve("first.log");
            Process first = RelayProcess.start(home, env, out1, "run", "--daemon");
            FakeNtfy.Message question;
            try {
                Await.until("running", Duration.ofSeconds(30), () -> cli(home, "status").contains("running (pid"),
                        () -> read(out1));
                cli(home, "send", "--session", "s1", "migration ready");
                question = ntfy.awaitMessage(TOPIC, m -> m.title().startsWith("Relay needs JC"), Duration.ofSeconds(30));
                assertEquals(5, question.priority());
                assertEquals(List.of("Resume", "Snooze 1 h", "Acknowledge"),
                        question.actions().stream().map(FakeNtfy.Action::label).toList());
                Await.until("subscribed to the reply topic", () -> ntfy.subscribers(REPLY) == 1);
            } finally {
                first.destroyForcibly();   // kill -9: no shutdown hook runs
                assertTrue(first.waitFor(20, TimeUnit.SECONDS));
            }
            JsonNode items = new ObjectMapper().readTree(cli(home, "inbox", "--json").substring(2));
            String code = items.get(0).get("code").asText();
            assertTrue(question.message().contains(code), question.message());

            ntfy.publish(REPLY, code + ": no, archive it instead");   // from the ntfy app, while no relay runs

            Path out2 = dir.resolve("second.log");
            Process second = RelayProcess.start(home, env, out2, "run", "--daemon");
            try {
                Await.until("the answer's reply dispatched", Duration.ofSeconds(30),
                        () -> read(home.resolve("dispatch/s1/input.txt")).equals("Archiving the table instead."),
                        () -> read(out2) + cli(home, "status"));
                assertEquals(2, api.calls(), "the question, then the operator's answer: once");
                assertTrue(api.requests().get(1).toString().contains("no, archive it instead"));
                ntfy.awaitMessage(TOPIC, m -> m.title().startsWith("Answered from the phone, "), Duration.ofSeconds(30));
                Files.delete(home.resolve("dispatch/s1/input.txt"));   // the agent read it

                cli(home, "send", "--session", "s1", "now the users table again");
                // (the first question may have been pushed twice: the relay was killed between ntfy taking the push
                // and recording it, and a push is sent at least once, never lost)
                FakeNtfy.Message again = ntfy.awaitMessage(TOPIC, m -> m.title().startsWith("Relay needs JC")
                        && !m.message().contains(code), Duration.ofSeconds(30));
                assertEquals(200, ntfy.phone().tap(again, "Resume"));
                ntfy.awaitMessage(TOPIC, m -> m.title().startsWith("Resumed from the phone, "), Duration.ofSeconds(30));
                Await.until("running again", Duration.ofSeconds(10), () -> cli(home, "status").contains("State:      running"),
                        () -> cli(home, "status"));
                assertEquals(3, api.calls(), "a resume sends nothing to the coordinator");
                assertEquals(200, ntfy.phone().tap(again, "Resume"), "a second press: ntfy takes it, the relay refuses it");
                ntfy.awaitMessage(TOPIC, m -> m.title().equals("Not applied"), Duration.ofSeconds(30));
                String inbox = cli(home, "inbox", "--all");
                assertTrue(inbox.contains("answer from the phone: no, archive it instead"), inbox);
                assertTrue(inbox.contains("resume from the phone"), inbox);
                assertTrue(cli(home, "inbox").contains("Inbox: nothing needs you."));
            } finally {
                second.destroy();
                assertTrue(second.waitFor(20, TimeUnit.SECONDS));
            }
            assertEquals(0, second.exitValue(), read(out2));
            assertFalse(read(home.resolve("logs/relay.log")).contains(TOKEN), "the ntfy token never reaches a log");
        }
    }
}
