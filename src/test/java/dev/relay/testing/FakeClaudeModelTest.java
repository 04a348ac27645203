package dev.relay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeClaudeModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType APPLICATION_JSON = MediaType.get("application/json");

    FakeClaudeModel model;
    OkHttpClient http;

    @BeforeEach
    void start() throws IOException {
        model = new FakeClaudeModel();
        http = new OkHttpClient();
    }

    @AfterEach
    void stop() throws IOException {
        model.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    record Event(String name, JsonNode data) {}

    record Answer(int status, String contentType, String requestId, String retryAfter, String body) {}

    /** A request as Claude Code sends it: the model, a system prompt, one user turn. */
    static ObjectNode body(boolean stream, String userText) {
        ObjectNode body = JSON.createObjectNode().put("model", "claude-opus-5-5").put("max_tokens", 32000);
        body.putArray("system").addObject().put("type", "text").put("text", "You are Claude Code.");
        ObjectNode user = body.putArray("messages").addObject().put("role", "user");
        user.putArray("content").addObject().put("type", "text").put("text", userText);
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    Answer post(String path, JsonNode body) throws IOException {
        okhttp3.Request request = new okhttp3.Request.Builder().url(model.baseUrl() + path)
                .header("x-api-key", "sk-ant-test").header("anthropic-version", "2023-06-01")
                .post(RequestBody.create(body.toString(), APPLICATION_JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            return new Answer(response.code(), response.header("content-type"), response.header("request-id"),
                    response.header("retry-after"), response.body().string());
        }
    }

    /** Server-sent events as the spec frames them: "event:" and "data:" lines, a blank line ending each event. */
    static List<Event> events(String sse) throws IOException {
        List<Event> events = new ArrayList<>();
        String name = null;
        StringBuilder data = new StringBuilder();
        BufferedReader reader = new BufferedReader(new StringReader(sse));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isEmpty()) {
                if (name != null) {
                    events.add(new Event(name, JSON.readTree(data.toString())));
                }
                name = null;
                data.setLength(0);
            } else if (line.startsWith("event: ")) {
                name = line.substring("event: ".length());
            } else if (line.startsWith("data: ")) {
                data.append(line.substring("data: ".length()));
            } else {
                throw new AssertionError("not an SSE line: " + line);
            }
        }
        assertTrue(name == null && data.length() == 0, "the stream ends with a blank line");
        return events;
    }

    static List<String> names(List<Event> events) {
        return events.stream().map(Event::name).toList();
    }

    @Test
    void streams_a_text_reply_as_the_documented_events_in_order() throws IOException {
        String text = "Hello from the fake model, in several deltas.";
        model.script(req -> FakeClaudeModel.Reply.text(text));

        Answer answer = post("/v1/messages?beta=true", body(true, "say hi"));

        assertEquals(200, answer.status());
        assertEquals("text/event-stream", answer.contentType());
        assertTrue(answer.requestId().startsWith("req_"), answer.requestId());
        List<Event> events = events(answer.body());
        List<String> names = names(events);
        assertEquals(List.of("message_start", "content_block_start", "ping"), names.subList(0, 3));
        assertEquals(List.of("content_block_stop", "message_delta", "message_stop"), names.subList(names.size() - 3, names.size()));
        assertTrue(names.subList(3, names.size() - 3).stream().allMatch("content_block_delta"::equals), names.toString());
        assertTrue(names.size() - 6 > 1, "the text comes in more than one delta: " + names);
        for (Event e : events) {
            assertEquals(e.name(), e.data().path("type").asText(), "each data's type names its event");
        }

        JsonNode message = events.get(0).data().path("message");
        assertTrue(message.path("id").asText().startsWith("msg_"));
        assertEquals("message", message.path("type").asText());
        assertEquals("assistant", message.path("role").asText());
        assertEquals("claude-opus-5-5", message.path("model").asText());
        assertTrue(message.path("content").isArray() && message.path("content").isEmpty());
        assertTrue(message.path("stop_reason").isNull());
        JsonNode usage = message.path("usage");
        for (String field : List.of("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")) {
            assertTrue(usage.path(field).isInt(), field);
        }
        long bodyChars = body(true, "say hi").toString().length();
        assertEquals(bodyChars / 4, usage.path("input_tokens").asLong());

        assertEquals("text", events.get(1).data().path("content_block").path("type").asText());
        StringBuilder joined = new StringBuilder();
        events.stream().filter(e -> e.name().equals("content_block_delta")).forEach(e -> {
            assertEquals(0, e.data().path("index").asInt());
            assertEquals("text_delta", e.data().path("delta").path("type").asText());
            joined.append(e.data().path("delta").path("text").asText());
        });
        assertEquals(text, joined.toString());
        JsonNode delta = events.get(events.size() - 2).data();
        assertEquals("end_turn", delta.path("delta").path("stop_reason").asText());
        assertTrue(delta.path("delta").has("stop_sequence") && delta.path("delta").path("stop_sequence").isNull());
        assertEquals(text.length() / 4, delta.path("usage").path("output_tokens").asInt());
    }

    @Test
    void a_tool_use_block_after_text_streams_its_input_as_json_fragments_that_reassemble() throws IOException {
        ObjectNode input = JSON.createObjectNode().put("command", "echo \"quoted\" && ls -la /tmp").put("description", "List tmp");
        model.script(req -> FakeClaudeModel.Reply.textThenTool("Let me look.", "Bash", input));

        List<Event> events = events(post("/v1/messages?beta=true", body(true, "look around")).body());

        JsonNode toolStart = events.stream()
                .filter(e -> e.name().equals("content_block_start") && e.data().path("index").asInt() == 1)
                .findFirst().orElseThrow().data().path("content_block");
        assertEquals("tool_use", toolStart.path("type").asText());
        assertEquals("Bash", toolStart.path("name").asText());
        assertTrue(toolStart.path("id").asText().matches("toolu_[A-Za-z0-9]{20,}"), toolStart.toString());
        assertTrue(toolStart.path("input").isObject() && toolStart.path("input").isEmpty());

        StringBuilder json = new StringBuilder();
        int fragments = 0;
        for (Event e : events) {
            if (e.name().equals("content_block_delta") && e.data().path("index").asInt() == 1) {
                assertEquals("input_json_delta", e.data().path("delta").path("type").asText());
                json.append(e.data().path("delta").path("partial_json").asText());
                fragments++;
            }
        }
        assertTrue(fragments > 2, "several fragments: " + fragments);
        assertEquals(input, JSON.readTree(json.toString()));

        List<String> names = names(events);
        int firstStop = names.indexOf("content_block_stop");
        assertTrue(firstStop < names.lastIndexOf("content_block_start"), "block 0 stops before block 1 starts: " + names);
        assertEquals("tool_use", events.get(events.size() - 2).data().path("delta").path("stop_reason").asText());
    }

    @Test
    void a_non_streaming_request_gets_one_json_message() throws IOException {
        ObjectNode input = JSON.createObjectNode().put("path", "README.md");
        model.script(req -> FakeClaudeModel.Reply.textThenTool("Reading.", "Read", input));

        Answer answer = post("/v1/messages", body(false, "read it"));

        assertEquals(200, answer.status());
        assertEquals("application/json", answer.contentType());
        JsonNode message = JSON.readTree(answer.body());
        assertEquals("message", message.path("type").asText());
        assertEquals("tool_use", message.path("stop_reason").asText());
        assertEquals("Reading.", message.path("content").path(0).path("text").asText());
        assertEquals("tool_use", message.path("content").path(1).path("type").asText());
        assertEquals(input, message.path("content").path(1).path("input"));
        assertTrue(message.path("usage").path("output_tokens").asInt() >= 1);
    }

    @Test
    void an_error_reply_has_its_status_and_the_documented_body() throws IOException {
        model.script(req -> req.index() == 0
                ? FakeClaudeModel.Reply.error(429, "rate_limit_error", "Number of request tokens has exceeded your rate limit.")
                : FakeClaudeModel.Reply.error(529, "overloaded_error", "Overloaded").withHeader("x-should-retry", "false"));

        Answer limited = post("/v1/messages?beta=true", body(true, "one"));
        Answer overloaded = post("/v1/messages?beta=true", body(true, "two"));

        assertEquals(429, limited.status());
        assertEquals("application/json", limited.contentType());
        assertEquals("1", limited.retryAfter());
        JsonNode error = JSON.readTree(limited.body());
        assertEquals("error", error.path("type").asText());
        assertEquals("rate_limit_error", error.path("error").path("type").asText());
        assertEquals("Number of request tokens has exceeded your rate limit.", error.path("error").path("message").asText());
        assertEquals(limited.requestId(), error.path("request_id").asText());
        assertEquals(529, overloaded.status());
        assertEquals("overloaded_error", JSON.readTree(overloaded.body()).path("error").path("type").asText());
        assertEquals(2, model.requests().size(), "errors are still requests seen");
    }

    @Test
    void count_tokens_answers_and_other_paths_are_not_found_and_neither_is_a_messages_request() throws IOException {
        JsonNode body = body(false, "count me");

        Answer count = post("/v1/messages/count_tokens?beta=true", body);
        Answer missing = post("/v1/models", body);

        assertEquals(200, count.status());
        assertEquals(body.toString().length() / 4, JSON.readTree(count.body()).path("input_tokens").asInt());
        assertEquals(404, missing.status());
        JsonNode error = JSON.readTree(missing.body());
        assertEquals("error", error.path("type").asText());
        assertEquals("not_found_error", error.path("error").path("type").asText());
        assertTrue(model.requests().isEmpty());
        assertEquals(2, model.calls());
    }

    @Test
    void a_request_without_an_api_key_is_refused_as_the_api_does() throws IOException {
        okhttp3.Request request = new okhttp3.Request.Builder().url(model.baseUrl() + "/v1/messages")
                .header("anthropic-version", "2023-06-01").post(RequestBody.create(body(true, "hi").toString(), APPLICATION_JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            assertEquals(401, response.code());
            assertEquals("authentication_error", JSON.readTree(response.body().string()).path("error").path("type").asText());
        }
        assertTrue(model.requests().isEmpty());
    }

    @Test
    void requests_are_kept_in_order_with_their_text_and_when_their_response_was_written() throws IOException {
        assertThrows(IllegalStateException.class, model::lastResponseEndedAt);
        ObjectNode second = body(true, "ignored: not the last user message");
        second.withArray("messages").addObject().put("role", "assistant").putArray("content").addObject()
                .put("type", "tool_use").put("id", "toolu_01abc").put("name", "Bash").putObject("input");
        var turn = second.withArray("messages").addObject().put("role", "user").putArray("content");
        turn.addObject().put("type", "tool_result").put("tool_use_id", "toolu_01abc").put("content", "tool output");
        turn.addObject().put("type", "text").put("text", "and now?");
        Instant before = Instant.now();

        Answer first = post("/v1/messages?beta=true", body(true, "say hi"));
        post("/v1/messages?beta=true", second);

        assertTrue(first.body().contains("\"text\":\"ok\""), "the default script answers ok: " + first.body());
        List<FakeClaudeModel.Request> requests = model.requests();
        assertEquals(2, requests.size());
        assertEquals(0, requests.get(0).index());
        assertEquals("say hi", requests.get(0).lastUserText());
        assertTrue(requests.get(0).stream());
        assertEquals("tool output\nand now?", requests.get(1).lastUserText());
        assertEquals(3, requests.get(1).messages().size());
        assertTrue(requests.get(1).allText().contains("You are Claude Code."));
        assertTrue(requests.get(1).allText().contains("ignored: not the last user message"));
        for (int i = 0; i < 2; i++) {
            FakeClaudeModel.Request r = requests.get(i);
            Instant written = model.respondedAt(i).orElseThrow();
            assertFalse(r.at().isBefore(before));
            assertFalse(written.isBefore(r.at()), "written after it arrived");
        }
        assertTrue(model.respondedAt(0).orElseThrow().isBefore(requests.get(1).at()), "the first was written before the second came");
        assertEquals(model.respondedAt(1).orElseThrow(), model.lastResponseEndedAt());
        assertTrue(model.respondedAt(2).isEmpty());
    }

    @Test
    void a_failing_script_answers_500_rather_than_hanging() throws IOException {
        model.script(req -> {
            throw new IllegalStateException("boom");
        });

        Answer answer = post("/v1/messages?beta=true", body(true, "hi"));

        assertEquals(500, answer.status());
        assertTrue(JSON.readTree(answer.body()).path("error").path("message").asText().contains("boom"));
    }

    @Test
    void replies_are_validated() {
        assertThrows(IllegalArgumentException.class, () -> FakeClaudeModel.Reply.error(200, "api_error", "no"));
        assertThrows(IllegalArgumentException.class, () -> FakeClaudeModel.Reply.toolUse("Bash", JSON.createArrayNode()));
        assertThrows(IllegalArgumentException.class, () -> FakeClaudeModel.Reply.toolUse(" ", JSON.createObjectNode()));
        assertThrows(NullPointerException.class, () -> FakeClaudeModel.Reply.text(null));
        FakeClaudeModel.Reply tool = FakeClaudeModel.Reply.toolUse("Bash", JSON.createObjectNode().put("command", "ls"));
        assertEquals("tool_use", tool.stopReason());
        assertNotNull(((FakeClaudeModel.Reply.ToolUse) tool.content().get(0)).id());
    }
}
