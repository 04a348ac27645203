package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A budget that brakes, as its users meet it: `relay run --daemon` against the fake Messages API (usage and cache
 * accounting over real HTTP) at a price that makes each turn cost dollars, the brake's push on a fake ntfy, its
 * "Resume once" button pressed from the phone, a kill -9 and a restart that still brakes, and `relay raise`.
 */
@Tag("process")
class BudgetProcessTest {
    private static final String TOPIC = "relay-budget-proc";
    private static final String REPLY = "relay-budget-replies";
    /** $1 per input token: a turn (its system prompt alone is hundreds of tokens) costs far more than the $1 limit. */
    private static final String CONFIG = """
            budgets:
              session_daily_usd: 1
            prices:
              claude-sonnet-5-5: {input: 1000000, output: 0, cache_write_5m: 1000000, cache_write_1h: 1000000, cache_read: 1000000}
            """;

    @TempDir
    Path dir;

    private static String cli(Path home, String... args) {
        return RelayProcess.cli(home, args);
    }

    private static String take(Path home, String session) throws Exception {
        Path input = home.resolve("dispatch/" + session + "/input.txt");
        Await.until(session + "'s reply", Duration.ofSeconds(30), () -> Files.exists(input), () -> cli(home, "status"));
        String text = RelayProcess.read(input);
        Files.delete(input);
        return text;
    }

    private static String brakeCode(Path home) throws Exception {
        JsonNode items = new ObjectMapper().readTree(cli(home, "inbox", "--json").substring(2));
        for (JsonNode i : items) {
            if (i.get("kind").asText().equals("budget") && i.get("severity").asText().equals("urgent")
                    && i.get("session").asText().equals("s1")) {
                return i.get("code").asText();
            }
        }
        throw new AssertionError("no budget item: " + items);
    }

    @Test
    void a_braked_session_waits_is_let_through_once_from_the_phone_stays_braked_over_a_kill_and_is_raised() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.writeString(home.resolve("config.yaml"), CONFIG);
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC());
             FakeNtfy ntfy = new FakeNtfy().keepaliveInterval(Duration.ofSeconds(1))) {
            api.replies(req -> "noted");
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-budget-test-0123456789", "ANTHROPIC_BASE_URL",
                    api.baseUrl(), "NTFY_SERVER", ntfy.url(), "NTFY_TOPIC", TOPIC, "NTFY_REPLY_TOPIC", REPLY);
            Path out1 = dir.resolve("first.log");
            Process first = RelayProcess.start(home, env, out1, "run", "--daemon");
            try {
                Await.until("running", Duration.ofSeconds(30), () -> cli(home, "status").contains("running (pid"),
                        () -> RelayProcess.read(out1));
                cli(home, "send", "--session", "s1", "first report");
                assertEquals("noted", take(home, "s1"));
                FakeNtfy.Message brake = ntfy.awaitMessage(TOPIC, m -> m.title().equals("Budget reached: s1 stopped"),
                        Duration.ofSeconds(30));
                assertEquals(List.of("Raise today's limit", "Resume once", "Acknowledge"),
                        brake.actions().stream().map(FakeNtfy.Action::label).toList());
                Await.until("subscribed to the reply topic", () -> ntfy.subscribers(REPLY) == 1);

                cli(home, "send", "--session", "s1", "second report");
                cli(home, "send", "--session", "s2", "another session");
                assertEquals("noted", take(home, "s2"), "another session goes on");
                String status = cli(home, "status");
                assertTrue(status.contains("Budget:     session s1 $") && status.contains("BRAKED: its reports wait in queue/"),
                        status);
                assertTrue(cli(home, "queue").contains("s1"), "s1's report waits");
                assertEquals(2, api.calls());

                assertEquals(200, ntfy.phone().tap(brake, "Resume once"));
                assertEquals("noted", take(home, "s1"), "one report let through");
                ntfy.awaitMessage(TOPIC, m -> m.title().startsWith("Resumed once from the phone, "), Duration.ofSeconds(30));
                Await.until("braked again, with a new item", Duration.ofSeconds(10),
                        () -> ntfy.messages(TOPIC).stream().filter(m -> m.title().equals("Budget reached: s1 stopped")).count() == 2);
                cli(home, "send", "--session", "s1", "third report");
                Thread.sleep(1500);
                assertEquals(3, api.calls(), "braked again: the third waits");
            } finally {
                first.destroyForcibly();   // kill -9
                assertTrue(first.waitFor(20, TimeUnit.SECONDS));
            }

            Path out2 = dir.resolve("second.log");
            Process second = RelayProcess.start(home, env, out2, "run", "--daemon");
            try {
                Await.until("running again", Duration.ofSeconds(30), () -> cli(home, "status").contains("running (pid"),
                        () -> RelayProcess.read(out2));
                Await.until("the brake stands over the restart", Duration.ofSeconds(10),
                        () -> cli(home, "status").contains("BRAKED"), () -> cli(home, "status"));
                Thread.sleep(1500);
                assertEquals(3, api.calls(), "nothing taken past the brake after the restart");
                String raised = cli(home, "raise", brakeCode(home), "1000000");   // s1's brake (s2 has its own)
                assertTrue(raised.contains("limit raised"), raised);
                assertEquals("noted", take(home, "s1"), "raised: the third report is answered");
                assertEquals(4, api.calls());
                String json = cli(home, "status", "--json");
                JsonNode spend = new ObjectMapper().readTree(json.substring(json.indexOf('{'))).get("spend");
                assertEquals("ok", spend.get("budgets").get(0).get("state").asText(), spend.toString());
                assertEquals(1000000.0, spend.get("budgets").get(0).get("limit_usd").asDouble(), 1e-6);
                String log = cli(home, "log", "--session", "s1");
                assertTrue(log.lines().anyMatch(l -> l.contains("answered") && l.trim().startsWith("$")), log);
            } finally {
                second.destroy();
                assertTrue(second.waitFor(20, TimeUnit.SECONDS));
            }
            assertEquals(0, second.exitValue(), RelayProcess.read(out2));
        }
    }
}
