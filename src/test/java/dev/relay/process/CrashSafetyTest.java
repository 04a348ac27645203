package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.SessionId;
import dev.relay.queue.EnvelopeWriter;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a real process against a fake API, killed with SIGKILL at random moments many times while
 * envelopes from several sessions arrive and file sessions consume their replies.
 */
@Tag("process")
class CrashSafetyTest {
    private static final Pattern MSG = Pattern.compile("msg-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ENVELOPES = 120;
    private static final int KILLS = 25;
    private static final List<String> SESSIONS = List.of("s1", "s2", "s3");

    @TempDir
    Path dir;

    @Test
    void every_envelope_becomes_exactly_one_turn_and_one_reply_across_repeated_sigkills() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.writeString(home.resolve("config.yaml"), "history_char_cap: 100000000\nsessions:\n  - id: s1\n  - id: s2\n  - id: s3\n");
        Random random = new Random(20261123);
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.replies(req -> {
                JsonNode messages = req.path("messages");
                StringBuilder last = new StringBuilder();   // the text blocks (tool results come first after a batch)
                messages.get(messages.size() - 1).path("content").forEach(b -> last.append(b.path("text").asText()));
                Matcher m = MSG.matcher(last);
                String id = "none";
                while (m.find()) {
                    id = m.group();
                }
                return "re: " + id;
            });
            api.latency(Duration.ofMillis(15));
            Map<String, String> env = Map.of(
                    "ANTHROPIC_API_KEY", "sk-ant-crash-test-0123456789",
                    "ANTHROPIC_BASE_URL", api.baseUrl(),
                    "NTFY_SERVER", "http://127.0.0.1:9",
                    "NTFY_TOPIC", "crash-test");

            Map<String, Integer> delivered = new ConcurrentHashMap<>();
            AtomicBoolean consuming = new AtomicBoolean(true);
            List<Thread> consumers = new ArrayList<>();
            for (String s : SESSIONS) {
                Thread t = new Thread(() -> consume(home, s, delivered, consuming), "consumer-" + s);
                t.start();
                consumers.add(t);
            }
            Thread feeder = new Thread(() -> feed(home, new Random(7)), "feeder");
            feeder.start();

            Path output = dir.resolve("relay-output.log");
            for (int kill = 0; kill < KILLS; kill++) {
                Process p = RelayProcess.start(home, env, output, "run", "--daemon");
                // kill at a random moment of its work, not while the JVM is still starting
                Await.until("relay " + kill + " up", Duration.ofSeconds(30), () -> writtenBy(home, p.pid()));
                Thread.sleep(random.nextInt(700));
                p.destroyForcibly();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                assertEquals(137, p.exitValue(), "killed with SIGKILL");
                assertHistoryParses(home);
            }
            feeder.join();

            Process last = RelayProcess.start(home, env, output, "run", "--daemon");
            try {
                Await.until("last relay up", Duration.ofSeconds(30), () -> writtenBy(home, last.pid()));
                Await.until("every reply delivered", Duration.ofSeconds(120), () -> delivered.size() == ENVELOPES
                        && queued(home) == 0);
                Await.until("every reply's reading recorded", Duration.ofSeconds(30), () -> new dev.relay.trail.Trail(
                        home.resolve("state/trail.jsonl")).read().stream().filter(st -> st.step().equals("read")).count() >= ENVELOPES);
            } finally {
                last.destroy(); // SIGTERM
                assertTrue(last.waitFor(20, TimeUnit.SECONDS));
            }
            assertEquals(0, last.exitValue(), "SIGTERM ends the daemon cleanly with exit 0");
            consuming.set(false);
            for (Thread t : consumers) {
                t.join();
            }

            assertHistoryParses(home);
            Files.copy(output, Path.of("target", "crash-test-relay-output.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Map<String, Integer> userTurns = new ConcurrentHashMap<>();
            Map<String, Integer> replies = new ConcurrentHashMap<>();
            for (String line : Files.readAllLines(home.resolve("state/conversation.jsonl"))) {
                JsonNode n = JSON.readTree(line);
                // a batched turn gives several reports, and its reply answers each of them
                Matcher m = MSG.matcher(n.path("content").asText());
                while (m.find()) {
                    (n.path("type").asText().equals("user") ? userTurns : replies).merge(m.group(), 1, Integer::sum);
                }
            }
            for (int i = 0; i < ENVELOPES; i++) {
                String id = "msg-" + i;
                assertEquals(1, userTurns.getOrDefault(id, 0), "user turns of " + id);
                assertEquals(1, replies.getOrDefault(id, 0), "recorded replies of " + id);
                assertEquals(1, delivered.getOrDefault(id, 0), "dispatched replies of " + id);
            }
            assertEquals(ENVELOPES, delivered.size());
            assertTrue(!Files.exists(home.resolve("queue/.rejected")) || Files.list(home.resolve("queue/.rejected")).count() == 0,
                    "nothing was rejected");
            // the record of every message is whole and true through the kills: each one's steps, in their order
            List<dev.relay.trail.Trail.Step> trail = new dev.relay.trail.Trail(home.resolve("state/trail.jsonl")).read();
            assertEquals(Files.readAllLines(home.resolve("state/trail.jsonl")).size(), trail.size(), "every line parses");
            for (int i = 0; i < ENVELOPES; i++) {
                String text = "report msg-" + i;
                String name = trail.stream().filter(st -> st.step().equals("queued") && text.equals(st.text())).findFirst()
                        .orElseThrow(() -> new AssertionError("msg " + text + " never queued in the record")).message();
                List<String> steps = new ArrayList<>(new java.util.LinkedHashSet<>(dev.relay.trail.Trail.of(trail, name).stream()
                        .map(dev.relay.trail.Trail.Step::step).toList()));
                assertEquals(List.of("queued", "taken", "answered", "dispatched", "read"), steps, "the steps of " + text);
            }
            long answeredTurns = Files.readAllLines(home.resolve("state/conversation.jsonl")).stream()
                    .filter(l -> l.contains("\"type\":\"assistant\"")).count();
            assertTrue(api.calls() >= answeredTurns, "at least one call per answered turn (" + api.calls() + " calls, "
                    + answeredTurns + " turns)");
        }
    }

    private static void feed(Path home, Random random) {
        for (int i = 0; i < ENVELOPES; i++) {
            String session = SESSIONS.get(i % SESSIONS.size());
            Optional<String> id = i % 2 == 0 ? Optional.of("id-" + i) : Optional.empty();
            EnvelopeWriter.write(home.resolve("queue"), SessionId.of(session), "report msg-" + i, id);
            try {
                Thread.sleep(random.nextInt(120));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void consume(Path home, String session, Map<String, Integer> delivered, AtomicBoolean running) {
        Path input = home.resolve("dispatch").resolve(session).resolve("input.txt");
        while (running.get()) {
            try {
                if (Files.exists(input)) {
                    String text = Files.readString(input, StandardCharsets.UTF_8);
                    Files.delete(input);
                    Matcher m = MSG.matcher(text);
                    delivered.merge(m.find() ? m.group() : text, 1, Integer::sum);
                } else {
                    Thread.sleep(3);
                }
            } catch (IOException | InterruptedException e) {
                // raced with the relay's rename; try again
            }
        }
    }

    private static boolean writtenBy(Path home, long pid) {
        try {
            return JSON.readTree(home.resolve("state/status.json").toFile()).path("pid").asLong() == pid;
        } catch (IOException e) {
            return false;
        }
    }

    private static long queued(Path home) {
        try (var s = Files.list(home.resolve("queue"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void assertHistoryParses(Path home) throws IOException {
        Path file = home.resolve("state/conversation.jsonl");
        if (!Files.exists(file)) {
            return;
        }
        String text = Files.readString(file);
        assertTrue(text.isEmpty() || text.endsWith("\n"), "the journal never ends in a torn line");
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                JsonNode n = JSON.readTree(line);
                assertTrue(n.isObject() && n.has("type") && n.has("content"), line);
            }
        }
    }
}
