package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.ClaudeCli;
import dev.relay.testing.FakeClaudeModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Claude Code CLI, headless, talks to FakeClaudeModel and prints its answer. */
@Tag("process")
class ClaudeCliSmokeTest {
    @TempDir
    Path project;

    @TempDir
    Path home;

    @BeforeEach
    void needsTheCli() {
        ClaudeCli.assumeInstalled();
    }

    @Test
    void claude_p_prints_the_fake_models_answer_after_one_streamed_request() throws Exception {
        try (FakeClaudeModel model = new FakeClaudeModel()) {
            model.script(request -> FakeClaudeModel.Reply.text("Hello from the fake model."));

            ClaudeCli.Result result = ClaudeCli.run(project, home, model.baseUrl(), Duration.ofSeconds(60), Map.of(), "-p", "say hi");

            assertFalse(result.timedOut(), result.toString());
            assertEquals(0, result.exitCode(), result.toString());
            assertTrue(result.stdout().contains("Hello from the fake model."), result.toString());
            List<FakeClaudeModel.Request> requests = model.requests();
            assertEquals(1, requests.size(), "one /v1/messages request: " + requests);
            assertTrue(requests.get(0).lastUserText().contains("say hi"), requests.get(0).lastUserText());
            assertTrue(requests.get(0).body().path("stream").asBoolean(false), "streamed: " + requests.get(0).body().path("stream"));
        }
    }
}
