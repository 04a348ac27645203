package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * A fresh home with no API key, as the README's first command leaves it: the relay runs, the operator answers a report
 * with `relay answer`, the agent gets it; a key added to .env then hands over to the (fake) model with the history.
 */
@Tag("process")
class OperatorProcessTest {
    @TempDir
    Path dir;

    String cli(Path home, String... args) {
        return RelayProcess.cli(home, args);
    }

    static String read(Path file) {
        return RelayProcess.read(file);
    }

    String coordinator(Path home) {
        try {
            return new ObjectMapper().readTree(cli(home, "status", "--json").substring(2)).path("coordinator").asText();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void the_operator_answers_with_relay_answer_until_a_key_is_added() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.replies(req -> "the model answers now");
            Map<String, String> env = Map.of("ANTHROPIC_BASE_URL", api.baseUrl(), "NTFY_SERVER", "http://127.0.0.1:9");
            Path out = dir.resolve("out.log");
            Process relay = RelayProcess.start(home, env, out, "run", "--daemon");
            try {
                Await.until("running", Duration.ofSeconds(30), () -> cli(home, "status").contains("running (pid"), () -> read(out));
                assertTrue(cli(home, "status").contains("Coordinator: you (the operator), as ANTHROPIC_API_KEY is not set"),
                        cli(home, "status"));
                cli(home, "send", "--session", "s1", "tests pass; shall I merge?");
                Await.until("a report item", () -> cli(home, "inbox", "--json").contains("\"report\""));
                JsonNode item = new ObjectMapper().readTree(cli(home, "inbox", "--json").substring(2)).get(0);
                assertEquals("s1", item.get("session").asText());
                assertEquals("tests pass; shall I merge?", item.get("text").asText());
                String answered = cli(home, "answer", item.get("code").asText(), "Yes, merge it.");
                assertTrue(answered.startsWith("0:"), answered);
                Await.until("the reply reached the agent", Duration.ofSeconds(10), () -> read(home.resolve("dispatch/s1/input.txt")).equals("Yes, merge it."),
                        () -> read(out) + cli(home, "status"));
                assertEquals(0, api.calls());

                Files.writeString(home.resolve(".env"), "\nANTHROPIC_API_KEY=sk-ant-added-later-0123456789\n",
                        java.nio.file.StandardOpenOption.APPEND);
                Await.until("the model took over", Duration.ofSeconds(30),
                        () -> coordinator(home).equals("anthropic"), () -> cli(home, "status"));
                cli(home, "send", "--session", "s2", "docs done");
                Await.until("the model's reply reached s2", Duration.ofSeconds(30),
                        () -> read(home.resolve("dispatch/s2/input.txt")).equals("the model answers now"), () -> read(out));
                String request = api.requests().get(0).toString();
                assertTrue(request.contains("tests pass; shall I merge?") && request.contains("Yes, merge it.")
                        && request.contains("docs done"), "the whole history: " + request);
            } finally {
                relay.destroy();
                assertTrue(relay.waitFor(20, TimeUnit.SECONDS));
            }
            assertEquals(0, relay.exitValue(), read(out));
        }
    }
}
