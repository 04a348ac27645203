package dev.relay.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** The Messages API over OkHttp: prompt caching of the system prompt and a rolling breakpoint on the history. */
public final class AnthropicCoordinator implements Coordinator {
    public static final String API_VERSION = "2023-06-01";
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final Set<Integer> RETRYABLE = Set.of(408, 409, 429, 500, 502, 503, 504, 529);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OkHttpClient http;
    private final String baseUrl;
    private final String apiKey;

    public AnthropicCoordinator(OkHttpClient http, String baseUrl, String apiKey) {
        this.http = http;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
    }

    /** Timeouts on every call: a hung connection never holds a turn forever. */
    public static OkHttpClient defaultClient() {
        return new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(10))
                .writeTimeout(Duration.ofSeconds(30))
                .readTimeout(Duration.ofMinutes(5))
                .callTimeout(Duration.ofMinutes(10))
                // A pooled connection that the server (or a proxy) closed while idle fails at once with "unexpected
                // end of stream"; OkHttp then repeats the request on a fresh connection. This is the only retry below
                // the loop's own, and it repeats nothing the loop would not (a call is at-least-once anyway).
                .retryOnConnectionFailure(true)
                .socketFactory(new NoDelaySocketFactory())
                .build();
    }

    @Override
    public CoordinatorReply complete(CoordinatorRequest request) throws CoordinatorException {
        Request http = new Request.Builder()
                .url(baseUrl + "/v1/messages")
                .header("x-api-key", apiKey)
                .header("anthropic-version", API_VERSION)
                .header("content-type", "application/json")
                .post(body(bodyParts(request)))
                .build();
        try (Response response = this.http.newCall(http).execute()) {
            ResponseBody responseBody = response.body();
            String text = responseBody == null ? "" : responseBody.string();
            if (!response.isSuccessful()) {
                throw failure(response, text);
            }
            return parse(text, response.header("request-id"));
        } catch (InterruptedIOException e) {
            throw new CoordinatorException(0, true, Optional.empty(), "timeout",
                    "no answer from " + baseUrl + " in time (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new CoordinatorException(0, true, Optional.empty(), "connection",
                    "cannot reach " + baseUrl + ": " + e.getMessage(), e);
        }
    }

    /**
     * The last request's messages but its last, with their bytes. The history only grows between summaries, so the
     * next request starts with the same messages (the same objects, in the relay): each is encoded once, and a call
     * costs a walk over the history and a copy of its bytes, not a new encoding of 400k characters.
     */
    private final AtomicReference<Encoded> lastEncoded = new AtomicReference<>(new Encoded(List.of(), new byte[0][]));

    /** Messages and the bytes of each but the last (which is encoded with the cache breakpoint instead). */
    private record Encoded(List<CoordinatorRequest.Message> messages, byte[][] bytes) {}

    /** The bytes of each message but the last, from the last request where it is the same message at the same place. */
    private byte[][] encodedPrefix(List<CoordinatorRequest.Message> merged) {
        Encoded before = lastEncoded.get();
        int n = Math.max(0, merged.size() - 1);
        int known = Math.min(before.bytes().length, n);
        byte[][] bytes = new byte[n][];
        for (int i = 0; i < n; i++) {
            CoordinatorRequest.Message m = merged.get(i);
            boolean same = i < known && (before.messages().get(i) == m || before.messages().get(i).equals(m));
            bytes[i] = same ? before.bytes()[i] : encode(m, null);
        }
        lastEncoded.set(new Encoded(merged, bytes));
        return bytes;
    }

    private static final JsonNode REPLY_TOOL = replyTool();
    private static final JsonNode CHOICE_REPLY = JSON.createObjectNode().put("type", "tool").put("name", CoordinatorRequest.REPLY_TOOL);
    private static final JsonNode CHOICE_NONE = JSON.createObjectNode().put("type", "none");

    /** The reply tool: the same definition in every request, so that the cached prefix stays valid. */
    private static JsonNode replyTool() {
        ArrayNode tools = JSON.createArrayNode();
        ObjectNode tool = tools.addObject();
        tool.put("name", CoordinatorRequest.REPLY_TOOL);
        tool.put("description", "Send your reply to one session (one agent). In a turn with several reports, call it once for "
                + "each session whose report the turn gives, with that session's id exactly as it is written in the "
                + "report's header. The text is delivered to that agent as its next instruction.");
        ObjectNode schema = tool.putObject("input_schema");
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        props.putObject("session").put("type", "string").put("description", "the session id from the report's header");
        props.putObject("text").put("type", "string").put("description", "the reply to that session");
        schema.putArray("required").add("session").add("text");
        return tools;
    }

    /**
     * The request body, as the parts it is sent from: every message but the last (which carries the cache
     * breakpoint) comes from the last request's where it is the same, and the parts are written to the connection
     * one after the other, never joined into one array (at 400k characters of history that array was most of a
     * turn's garbage).
     */
    List<byte[]> bodyParts(CoordinatorRequest request) {
        List<CoordinatorRequest.Message> merged = merge(request.messages());
        List<byte[]> parts = new ArrayList<>(2 * merged.size() + 4);
        try {
            ObjectNode head = JSON.createObjectNode();
            head.put("model", request.model());
            head.put("max_tokens", request.maxTokens());
            CacheTtl systemTtl = request.historyTtl() == CacheTtl.ONE_HOUR ? CacheTtl.ONE_HOUR : CacheTtl.FIVE_MINUTES;
            if (request.tools() != CoordinatorRequest.Tools.OFF) {
                head.set("tools", REPLY_TOOL);
                head.set("tool_choice", request.tools() == CoordinatorRequest.Tools.REQUIRED ? CHOICE_REPLY : CHOICE_NONE);
            }
            ObjectNode sys = head.putArray("system").addObject().put("type", "text").put("text", request.system());
            sys.putObject("cache_control").put("type", "ephemeral").put("ttl", systemTtl.wire());
            byte[] headBytes = JSON.writeValueAsBytes(head);
            parts.add(java.util.Arrays.copyOf(headBytes, headBytes.length - 1)); // all but the closing brace
            parts.add(MESSAGES_OPEN);
            for (byte[] message : encodedPrefix(merged)) {
                parts.add(message);
                parts.add(COMMA);
            }
            CoordinatorRequest.Message last = merged.get(merged.size() - 1);
            parts.add(encode(last, request.historyTtl() == CacheTtl.NONE ? null : request.historyTtl()));
            parts.add(MESSAGES_CLOSE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return parts;
    }

    private static final byte[] MESSAGES_OPEN = ",\"messages\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] COMMA = {','};
    private static final byte[] MESSAGES_CLOSE = "]}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A body sent from its parts; it can be written again (OkHttp retries a request on a stale connection). */
    private static RequestBody body(List<byte[]> parts) {
        long length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        long contentLength = length;
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return JSON_TYPE;
            }

            @Override
            public long contentLength() {
                return contentLength;
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws IOException {
                for (byte[] part : parts) {
                    sink.write(part);
                }
            }
        };
    }

    private static byte[] encode(CoordinatorRequest.Message m, CacheTtl ttl) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(m.text().length() + 64);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("role", m.role() == CoordinatorRequest.Role.USER ? "user" : "assistant");
            g.writeArrayFieldStart("content");
            // tool results first in a user message, as the API requires; the cache breakpoint on the last block
            boolean text = !m.text().isEmpty() || (m.calls().isEmpty() && m.results().isEmpty());
            for (int i = 0; i < m.results().size(); i++) {
                CoordinatorRequest.ToolResult r = m.results().get(i);
                g.writeStartObject();
                g.writeStringField("type", "tool_result");
                g.writeStringField("tool_use_id", r.toolUseId());
                g.writeStringField("content", r.content());
                writeCacheControl(g, !text && i == m.results().size() - 1 ? ttl : null);
                g.writeEndObject();
            }
            if (text) {
                writeBlock(g, m.text(), m.calls().isEmpty() ? ttl : null);
            }
            for (int i = 0; i < m.calls().size(); i++) {
                CoordinatorRequest.ToolCall c = m.calls().get(i);
                g.writeStartObject();
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", c.id());
                g.writeStringField("name", CoordinatorRequest.REPLY_TOOL);
                g.writeObjectFieldStart("input");
                g.writeStringField("session", c.session());
                g.writeStringField("text", c.text());
                g.writeEndObject();
                writeCacheControl(g, i == m.calls().size() - 1 ? ttl : null);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeBlock(JsonGenerator g, String text, CacheTtl ttl) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("text", text);
        writeCacheControl(g, ttl);
        g.writeEndObject();
    }

    private static void writeCacheControl(JsonGenerator g, CacheTtl ttl) throws IOException {
        if (ttl != null) {
            g.writeObjectFieldStart("cache_control");
            g.writeStringField("type", "ephemeral");
            g.writeStringField("ttl", ttl.wire());
            g.writeEndObject();
        }
    }

    /** Joins consecutive turns of one role and makes the conversation open with a user turn, as the API expects. */
    static List<CoordinatorRequest.Message> merge(List<CoordinatorRequest.Message> in) {
        if (alternates(in)) {
            return in;   // the usual case: nothing to join, and the same messages as the last request's
        }
        List<CoordinatorRequest.Message> out = new ArrayList<>();
        for (CoordinatorRequest.Message m : in) {
            if (!out.isEmpty() && out.get(out.size() - 1).role() == m.role()) {
                CoordinatorRequest.Message prev = out.remove(out.size() - 1);
                String text = prev.text().isEmpty() ? m.text() : m.text().isEmpty() ? prev.text() : prev.text() + "\n\n" + m.text();
                List<CoordinatorRequest.ToolCall> calls = new ArrayList<>(prev.calls());
                calls.addAll(m.calls());
                List<CoordinatorRequest.ToolResult> results = new ArrayList<>(prev.results());
                results.addAll(m.results());
                out.add(new CoordinatorRequest.Message(m.role(), text, calls, results));
            } else {
                out.add(m);
            }
        }
        if (!out.isEmpty() && out.get(0).role() != CoordinatorRequest.Role.USER) {
            out.add(0, new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, "(the conversation continues)"));
        }
        return out;
    }

    /** Whether the messages open with a user turn and never repeat a role. */
    private static boolean alternates(List<CoordinatorRequest.Message> in) {
        CoordinatorRequest.Role expected = CoordinatorRequest.Role.USER;
        for (CoordinatorRequest.Message m : in) {
            if (m.role() != expected) {
                return false;
            }
            expected = expected == CoordinatorRequest.Role.USER ? CoordinatorRequest.Role.ASSISTANT : CoordinatorRequest.Role.USER;
        }
        return true;
    }

    private static CoordinatorReply parse(String text, String requestId) throws CoordinatorException {
        try {
            JsonNode root = JSON.readTree(text);
            StringBuilder reply = new StringBuilder();
            List<CoordinatorRequest.ToolCall> calls = new ArrayList<>();
            for (JsonNode block : root.path("content")) {
                String type = block.path("type").asText();
                if ("text".equals(type)) {
                    reply.append(block.path("text").asText());
                } else if ("tool_use".equals(type) && CoordinatorRequest.REPLY_TOOL.equals(block.path("name").asText())) {
                    JsonNode input = block.path("input");
                    calls.add(new CoordinatorRequest.ToolCall(block.path("id").asText(""), input.path("session").asText(""),
                            input.path("text").asText("")));
                }
            }
            JsonNode u = root.path("usage");
            JsonNode creation = u.path("cache_creation");
            long created = u.path("cache_creation_input_tokens").asLong(0);
            long created5m = creation.path("ephemeral_5m_input_tokens").asLong(0);
            long created1h = creation.path("ephemeral_1h_input_tokens").asLong(0);
            if (created5m + created1h == 0) {
                created5m = created; // older responses carry only the total, which is then at the 5-minute rate
            }
            ApiUsage usage = new ApiUsage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0), created,
                    u.path("cache_read_input_tokens").asLong(0), created5m, created1h);
            return new CoordinatorReply(reply.toString(), root.path("stop_reason").asText(""),
                    root.path("model").asText(""), requestId, usage, calls);
        } catch (IOException e) {
            throw new CoordinatorException(200, true, Optional.empty(), "bad_response",
                    "the API answered with something that is not a message: " + e.getMessage(), e);
        }
    }

    private static CoordinatorException failure(Response response, String body) {
        int status = response.code();
        String type = "http_" + status;
        String message = body.length() > 300 ? body.substring(0, 300) + "..." : body;
        String errorCode = "";
        try {
            JsonNode err = JSON.readTree(body).path("error");
            if (err.isObject()) {
                type = err.path("type").asText(type);
                message = err.path("message").asText(message);
                errorCode = err.path("details").path("error_code").asText("");
            }
        } catch (IOException ignored) {
            // not JSON (a proxy's error page): keep the raw start of the body
        }
        boolean spendLimit = status == 429 && "enforced_spend_limit_reached".equals(errorCode);
        boolean retryable = RETRYABLE.contains(status) && !spendLimit;
        String requestId = response.header("request-id");
        String text = "HTTP " + status + " " + type + (spendLimit ? " (spend limit reached)" : "") + ": " + message
                + (requestId == null ? "" : " [request-id " + requestId + "]");
        return new CoordinatorException(status, retryable, retryAfter(response), spendLimit ? "spend_limit" : type, text, null);
    }

    static Optional<Duration> retryAfter(Response response) {
        String ms = response.header("retry-after-ms");
        if (ms != null) {
            try {
                return Optional.of(Duration.ofMillis((long) Double.parseDouble(ms.strip())));
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        String after = response.header("retry-after");
        if (after == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofMillis((long) (Double.parseDouble(after.strip()) * 1000)));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(after.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (java.time.DateTimeException ignored) {
                return Optional.empty();
            }
        }
    }
}
