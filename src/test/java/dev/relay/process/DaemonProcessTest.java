package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("process")
class DaemonProcessTest {
    private static final String KEY = "sk-ant-daemon-test-SECRET-0123456789";

    @TempDir
    Path dir;

    String cli(Path home, String... args) {
        return RelayProcess.cli(home, args);
    }

    com.fasterxml.jackson.databind.JsonNode statusJson(Path home) {
        try {
            return new ObjectMapper().readTree(cli(home, "status", "--json").substring(2));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        return RelayProcess.read(file);
    }

    @Test
    void one_relay_per_home_pause_and_resume_act_on_it_and_sigterm_exits_0() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.replies(req -> "carry on");
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", KEY, "ANTHROPIC_BASE_URL", api.baseUrl(),
                    "NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t");
            Path out1 = dir.resolve("first.log");
            Process first = RelayProcess.start(home, env, out1, "run", "--daemon");
            try {
                Await.until("first relay running", Duration.ofSeconds(30), () -> cli(home, "status").contains("running (pid " + first.pid()),
                        () -> cli(home, "status") + "\n" + read(out1));

                Path out2 = dir.resolve("second.log");
                Process second = RelayProcess.start(home, env, out2, "run", "--daemon");
                assertTrue(second.waitFor(30, TimeUnit.SECONDS));
                assertEquals(3, second.exitValue());
                assertTrue(Files.readString(out2).contains("already running"), Files.readString(out2));

                assertTrue(cli(home, "pause").startsWith("0:paused"), cli(home, "status"));
                cli(home, "send", "--session", "s1", "while paused");
                Await.until("status shows one queued", () -> cli(home, "status").contains("Queue:      1 envelope"));
                assertEquals(0, api.calls());
                assertTrue(cli(home, "resume").startsWith("0:resumed"));
                Await.until("reply dispatched", () -> Files.exists(home.resolve("dispatch/s1/input.txt")));
                assertEquals("carry on", Files.readString(home.resolve("dispatch/s1/input.txt")));

                Await.until("status counts the turn", () -> statusJson(home).path("history_turns").asInt() == 2);
                var n = statusJson(home);
                assertTrue(n.get("running").asBoolean());
                assertEquals("running", n.get("state").asText());
                assertTrue(n.get("total_input_tokens").asLong() > 0);
            } finally {
                first.destroy();
                assertTrue(first.waitFor(20, TimeUnit.SECONDS));
            }
            assertEquals(0, first.exitValue(), Files.readString(out1));
            assertTrue(cli(home, "status").contains("not running"));
            String log = Files.readString(home.resolve("logs/relay.log")) + Files.readString(out1);
            assertTrue(log.contains("relay started"), log);
            assertFalse(log.contains(KEY), "the API key never reaches a log");
        }
    }

    @Test
    void a_dead_ntfy_server_and_a_missing_key_do_not_stop_the_daemon() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Map<String, String> env = Map.of("NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t");
        Path out = dir.resolve("out.log");
        Process p = RelayProcess.start(home, env, out, "run", "--daemon");
        try {
            Await.until("running", Duration.ofSeconds(30), () -> cli(home, "status").contains("running (pid"));
            cli(home, "send", "--session", "s1", "hello");
            Await.until("says the key is missing", () -> cli(home, "status").contains("ANTHROPIC_API_KEY is not set"));
            assertTrue(Files.readString(out).contains("ANTHROPIC_API_KEY is not set"));
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        assertEquals(0, p.exitValue());
        try (var s = Files.list(home.resolve("queue"))) {
            assertEquals(1, s.filter(f -> f.toString().endsWith(".json")).count(), "the envelope is still queued");
        } catch (IOException e) {
            throw e;
        }
    }
}
