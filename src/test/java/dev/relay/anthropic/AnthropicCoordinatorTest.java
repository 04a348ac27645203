package dev.relay.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.FakeAnthropic;
import dev.relay.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnthropicCoordinatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    MockWebServer server;
    AnthropicCoordinator client;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        client = new AnthropicCoordinator(AnthropicCoordinator.defaultClient(), server.url("/").toString(), "sk-ant-unit-0123456789");
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    static CoordinatorRequest request(CacheTtl ttl, String... texts) {
        List<CoordinatorRequest.Message> messages = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            messages.add(new CoordinatorRequest.Message(i % 2 == 0 ? CoordinatorRequest.Role.USER : CoordinatorRequest.Role.ASSISTANT, texts[i]));
        }
        return new CoordinatorRequest("claude-sonnet-5-5", 1000, "You coordinate.", messages, ttl);
    }

    static MockResponse ok(String usage) {
        return new MockResponse().setResponseCode(200).setHeader("request-id", "req_1").setBody(
                "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-5-5\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"Do X.\"},{\"type\":\"text\",\"text\":\" Then Y.\"}],"
                        + "\"stop_reason\":\"end_turn\",\"usage\":" + usage + "}");
    }

    @Test
    void sends_the_documented_headers_and_caches_the_system_prompt_and_the_end_of_the_history() throws Exception {
        server.enqueue(ok("{\"input_tokens\":5,\"output_tokens\":3}"));
        client.complete(request(CacheTtl.ONE_HOUR, "a", "b", "c"));
        RecordedRequest r = server.takeRequest();
        assertEquals("/v1/messages", r.getPath());
        assertEquals("sk-ant-unit-0123456789", r.getHeader("x-api-key"));
        assertEquals("2023-06-01", r.getHeader("anthropic-version"));
        JsonNode body = JSON.readTree(r.getBody().readUtf8());
        assertEquals("1h", body.at("/system/0/cache_control/ttl").asText());
        assertEquals("ephemeral", body.at("/system/0/cache_control/type").asText());
        JsonNode messages = body.get("messages");
        assertEquals(3, messages.size());
        assertFalse(messages.get(0).at("/content/0").has("cache_control"));
        assertFalse(messages.get(1).at("/content/0").has("cache_control"));
        assertEquals("1h", messages.get(2).at("/content/0/cache_control/ttl").asText());
    }

    @Test
    void without_history_caching_only_the_system_prompt_has_a_breakpoint() throws Exception {
        server.enqueue(ok("{\"input_tokens\":5,\"output_tokens\":3}"));
        client.complete(request(CacheTtl.NONE, "a"));
        JsonNode body = JSON.readTree(server.takeRequest().getBody().readUtf8());
        assertEquals("5m", body.at("/system/0/cache_control/ttl").asText());
        assertFalse(body.at("/messages/0/content/0").has("cache_control"));
    }

    @Test
    void consecutive_turns_of_one_role_are_merged_and_the_conversation_opens_with_a_user_turn() {
        List<CoordinatorRequest.Message> merged = AnthropicCoordinator.merge(List.of(
                new CoordinatorRequest.Message(CoordinatorRequest.Role.ASSISTANT, "earlier reply"),
                new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, "u1"),
                new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, "u2")));
        assertEquals(3, merged.size());
        assertEquals(CoordinatorRequest.Role.USER, merged.get(0).role());
        assertEquals("u1\n\nu2", merged.get(2).text());
    }

    /** A batched turn after an earlier one: tool results first in the user message, the breakpoint on its last block. */
    static CoordinatorRequest batched(CoordinatorRequest.Tools tools) {
        List<CoordinatorRequest.ToolCall> calls = List.of(new CoordinatorRequest.ToolCall("toolu_1", "s1", "go on"),
                new CoordinatorRequest.ToolCall("toolu_2", "s2", "stop"));
        return new CoordinatorRequest("claude-sonnet-5-5", 1000, "You coordinate.", List.of(
                new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, "2 reports arrived together ..."),
                new CoordinatorRequest.Message(CoordinatorRequest.Role.ASSISTANT, "", calls, List.of()),
                new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, "2 reports arrived together again", List.of(),
                        List.of(new CoordinatorRequest.ToolResult("toolu_1", "sent to session s1"),
                                new CoordinatorRequest.ToolResult("toolu_2", "sent to session s2")))),
                CacheTtl.FIVE_MINUTES, tools);
    }

    @Test
    void a_batched_turn_requires_the_reply_tool_and_sends_its_earlier_calls_and_their_results_as_the_api_documents()
            throws Exception {
        server.enqueue(new MockResponse().setResponseCode(200).setBody("{\"id\":\"msg_2\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"model\":\"m\",\"stop_reason\":\"tool_use\",\"content\":["
                + "{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"reply_to_session\",\"input\":{\"session\":\"s2\",\"text\":\"ok\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_x\",\"name\":\"other_tool\",\"input\":{}}],"
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}"));
        CoordinatorReply reply = client.complete(batched(CoordinatorRequest.Tools.REQUIRED));
        assertEquals(List.of(new CoordinatorRequest.ToolCall("toolu_9", "s2", "ok")), reply.calls(), "only the reply tool's calls");
        assertEquals("tool_use", reply.stopReason());

        JsonNode body = JSON.readTree(server.takeRequest().getBody().readUtf8());
        assertEquals("reply_to_session", body.at("/tools/0/name").asText());
        assertEquals("[\"session\",\"text\"]", body.at("/tools/0/input_schema/required").toString());
        assertEquals("{\"type\":\"tool\",\"name\":\"reply_to_session\"}", body.get("tool_choice").toString());
        JsonNode assistant = body.at("/messages/1/content");
        assertEquals(2, assistant.size(), "no empty text block beside the calls");
        assertEquals("tool_use", assistant.at("/0/type").asText());
        assertEquals("{\"session\":\"s1\",\"text\":\"go on\"}", assistant.at("/0/input").toString());
        JsonNode user = body.at("/messages/2/content");
        assertEquals(List.of("tool_result", "tool_result", "text"),
                List.of(user.at("/0/type").asText(), user.at("/1/type").asText(), user.at("/2/type").asText()));
        assertEquals("toolu_2", user.at("/1/tool_use_id").asText());
        assertEquals("5m", user.at("/2/cache_control/ttl").asText());
        assertFalse(user.at("/0").has("cache_control"));
    }

    @Test
    void a_single_report_with_batching_on_offers_the_same_tool_but_not_to_be_used_and_with_it_off_sends_no_tools()
            throws Exception {
        server.enqueue(ok("{\"input_tokens\":5,\"output_tokens\":3}"));
        server.enqueue(ok("{\"input_tokens\":5,\"output_tokens\":3}"));
        client.complete(batched(CoordinatorRequest.Tools.OFFERED));
        client.complete(request(CacheTtl.FIVE_MINUTES, "a"));
        JsonNode offered = JSON.readTree(server.takeRequest().getBody().readUtf8());
        JsonNode off = JSON.readTree(server.takeRequest().getBody().readUtf8());
        assertEquals("{\"type\":\"none\"}", offered.get("tool_choice").toString());
        assertEquals("reply_to_session", offered.at("/tools/0/name").asText());
        assertFalse(off.has("tools"));
        assertFalse(off.has("tool_choice"));
    }

    @Test
    void the_fake_api_accepts_the_batched_request_and_refuses_a_call_left_without_its_result() throws Exception {
        try (FakeAnthropic api = new FakeAnthropic(java.time.Clock.systemUTC())) {
            AnthropicCoordinator real = new AnthropicCoordinator(AnthropicCoordinator.defaultClient(), api.baseUrl(), "sk-ant-x");
            real.complete(batched(CoordinatorRequest.Tools.REQUIRED));
            CoordinatorRequest broken = new CoordinatorRequest("m", 100, "s", List.of(
                    new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, "a"),
                    new CoordinatorRequest.Message(CoordinatorRequest.Role.ASSISTANT, "",
                            List.of(new CoordinatorRequest.ToolCall("toolu_1", "s1", "x")), List.of()),
                    new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, "b")), CacheTtl.FIVE_MINUTES,
                    CoordinatorRequest.Tools.OFFERED);
            CoordinatorException e = org.junit.jupiter.api.Assertions.assertThrows(CoordinatorException.class,
                    () -> real.complete(broken));
            assertTrue(e.getMessage().contains("without tool_result blocks"), e.getMessage());
        }
    }

    @Test
    void parses_text_and_usage_with_the_cache_split_by_lifetime() throws Exception {
        server.enqueue(ok("{\"input_tokens\":7,\"output_tokens\":11,\"cache_creation_input_tokens\":300,"
                + "\"cache_read_input_tokens\":9000,\"cache_creation\":{\"ephemeral_5m_input_tokens\":100,\"ephemeral_1h_input_tokens\":200}}"));
        CoordinatorReply reply = client.complete(request(CacheTtl.FIVE_MINUTES, "hi"));
        assertEquals("Do X. Then Y.", reply.text());
        assertEquals("req_1", reply.requestId());
        assertEquals(new ApiUsage(7, 11, 300, 9000, 100, 200), reply.usage());
    }

    @Test
    void overloaded_and_rate_limited_calls_are_retryable_with_the_servers_wait() {
        server.enqueue(FakeAnthropic.error(529, "overloaded_error", "Overloaded"));
        CoordinatorException e = assertThrows(CoordinatorException.class, () -> client.complete(request(CacheTtl.NONE, "x")));
        assertTrue(e.retryable());
        assertEquals(529, e.status());

        server.enqueue(FakeAnthropic.error(429, "rate_limit_error", "slow down").setHeader("retry-after", "17"));
        e = assertThrows(CoordinatorException.class, () -> client.complete(request(CacheTtl.NONE, "x")));
        assertTrue(e.retryable());
        assertEquals(Duration.ofSeconds(17), e.retryAfter().orElseThrow());

        server.enqueue(FakeAnthropic.error(429, "rate_limit_error", "slow down").setHeader("retry-after-ms", "1500"));
        e = assertThrows(CoordinatorException.class, () -> client.complete(request(CacheTtl.NONE, "x")));
        assertEquals(Duration.ofMillis(1500), e.retryAfter().orElseThrow());
    }

    @Test
    void client_errors_and_the_spend_limit_are_not_retried() {
        for (int status : new int[] {400, 401, 403, 413}) {
            server.enqueue(FakeAnthropic.error(status, "some_error", "no"));
            CoordinatorException e = assertThrows(CoordinatorException.class, () -> client.complete(request(CacheTtl.NONE, "x")));
            assertFalse(e.retryable(), "HTTP " + status);
        }
        server.enqueue(FakeAnthropic.spendLimit());
        CoordinatorException e = assertThrows(CoordinatorException.class, () -> client.complete(request(CacheTtl.NONE, "x")));
        assertFalse(e.retryable());
        assertEquals("spend_limit", e.errorType());
        assertTrue(e.getMessage().contains("spend limit"));
    }

    @Test
    void a_dropped_connection_or_a_stalled_answer_is_a_retryable_failure_not_a_hang() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
        CoordinatorException e = assertThrows(CoordinatorException.class, () -> client.complete(request(CacheTtl.NONE, "x")));
        assertTrue(e.retryable());
        assertEquals(0, e.status());

        OkHttpClient impatient = AnthropicCoordinator.defaultClient().newBuilder().readTimeout(Duration.ofMillis(200)).build();
        AnthropicCoordinator c = new AnthropicCoordinator(impatient, server.url("/").toString(), "k");
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        e = assertThrows(CoordinatorException.class, () -> c.complete(request(CacheTtl.NONE, "x")));
        assertTrue(e.retryable());
        assertEquals("timeout", e.errorType());
    }

    @Test
    void a_pooled_connection_closed_by_the_server_while_idle_is_replaced_without_an_error() throws Exception {
        // the first answer keeps the connection open (as far as the client knows), then the server drops it
        server.enqueue(ok("{\"input_tokens\":5,\"output_tokens\":3}").setSocketPolicy(SocketPolicy.DISCONNECT_AT_END));
        server.enqueue(ok("{\"input_tokens\":6,\"output_tokens\":4}"));
        assertEquals(3, client.complete(request(CacheTtl.NONE, "x")).usage().outputTokens());
        assertEquals(4, client.complete(request(CacheTtl.NONE, "y")).usage().outputTokens());
        assertEquals(2, server.getRequestCount());
    }

    @Test
    void the_api_key_never_appears_in_an_error_message() {
        server.enqueue(new MockResponse().setResponseCode(500).setBody("<html>proxy error</html>"));
        CoordinatorException e = assertThrows(CoordinatorException.class, () -> client.complete(request(CacheTtl.NONE, "x")));
        assertFalse(e.getMessage().contains("sk-ant-unit-0123456789"));
        assertTrue(e.getMessage().contains("HTTP 500"));
    }

    @Test
    void against_the_cache_accounting_fake_the_rolling_breakpoint_reads_the_previous_turns_from_the_cache() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-23T00:00:00Z"));
        try (FakeAnthropic fake = new FakeAnthropic(clock)) {
            AnthropicCoordinator c = new AnthropicCoordinator(AnthropicCoordinator.defaultClient(), fake.baseUrl(), "k");
            String big = "x".repeat(20_000);
            CoordinatorReply first = c.complete(request(CacheTtl.FIVE_MINUTES, big));
            assertEquals(0, first.usage().cacheReadTokens());
            assertTrue(first.usage().cacheCreation5m() > 5000);

            clock.advance(Duration.ofMinutes(2));
            CoordinatorReply second = c.complete(request(CacheTtl.FIVE_MINUTES, big, "ack", "next report"));
            assertTrue(second.usage().cacheReadTokens() >= 5000, "previous turns read from the cache: " + second.usage());
            assertTrue(second.usage().cacheCreationTokens() < 100, second.usage().toString());

            clock.advance(Duration.ofMinutes(6));
            CoordinatorReply expired = c.complete(request(CacheTtl.FIVE_MINUTES, big, "ack", "next report", "ok", "later"));
            assertEquals(0, expired.usage().cacheReadTokens(), "a 5-minute entry is gone after 6 minutes");
        }
    }

    private static String body(AnthropicCoordinator coordinator, CoordinatorRequest request) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : coordinator.bodyParts(request)) {
            out.writeBytes(part);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void a_request_that_repeats_the_last_ones_messages_is_sent_as_if_encoded_afresh() throws Exception {
        // one coordinator reuses what it encoded for the request before; each body must still be what a coordinator
        // that never saw the earlier requests sends
        CoordinatorRequest first = request(CacheTtl.FIVE_MINUTES, "report one", "reply one", "report two");
        CoordinatorRequest grown = request(CacheTtl.FIVE_MINUTES, "report one", "reply one", "report two", "reply two", "report three");
        CoordinatorRequest summarized = request(CacheTtl.ONE_HOUR, "summary of it all", "reply two", "report three", "reply three",
                "report four");
        CoordinatorRequest edited = request(CacheTtl.FIVE_MINUTES, "summary of it all", "reply 2", "report three", "reply three",
                "report four");
        List<CoordinatorRequest> sequence = List.of(first, grown, grown, summarized, edited, grown);
        for (int i = 0; i < sequence.size(); i++) {
            AnthropicCoordinator fresh = new AnthropicCoordinator(AnthropicCoordinator.defaultClient(), server.url("/").toString(), "k");
            String expected = body(fresh, sequence.get(i));
            assertEquals(expected, body(client, sequence.get(i)), "request " + i + ", after request " + (i - 1));
            JsonNode parsed = JSON.readTree(expected);
            int last = parsed.path("messages").size() - 1;
            assertEquals(sequence.get(i).messages().size(), last + 1);
            assertTrue(parsed.at("/messages/" + last + "/content/0/cache_control").isObject(), "the breakpoint is on the last message");
            assertTrue(parsed.at("/messages/" + (last - 1) + "/content/0/cache_control").isMissingNode(), "and only there");
        }
        assertEquals("reply one", JSON.readTree(body(client, grown)).at("/messages/1/content/0/text").asText());
    }
}
