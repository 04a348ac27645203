package dev.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ServerSocketFactory;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The Anthropic Messages API as the real Claude Code CLI sees it, over real HTTP on 127.0.0.1: streamed (SSE) and
 * plain replies in the documented format, errors with the documented bodies, and count_tokens. A script decides each
 * reply; tokens are counted as characters / 4.
 */
public final class FakeClaudeModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // Real streams split text and tool input over several deltas; clients must reassemble them, so we split too.
    private static final int DELTA_CHARS = 12;

    private final MockWebServer server = new MockWebServer();
    private final List<Request> requests = new ArrayList<>();
    private final Map<Integer, Instant> respondedAt = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    // MockWebServer writes each response on the thread that dispatched it: this is how the socket knows whose bytes
    // it is writing (-1: none of /v1/messages).
    private final ThreadLocal<Integer> writing = ThreadLocal.withInitial(() -> -1);
    private volatile Function<Request, Reply> script = request -> Reply.text("ok");

    public FakeClaudeModel() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        server.setServerSocketFactory(new TimingServerSocketFactory());
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    /** For example http://127.0.0.1:PORT, without a trailing slash: what ANTHROPIC_BASE_URL takes. */
    public String baseUrl() {
        // not server.url(): that names the host "localhost", which a client may try on ::1 first
        return "http://127.0.0.1:" + server.getPort();
    }

    /** Decides every later reply. Called on the server's threads, possibly on several at once. */
    public void script(Function<Request, Reply> script) {
        this.script = Objects.requireNonNull(script, "script");
    }

    /** The /v1/messages requests, in arrival order (index i is the i-th). */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /**
     * When request {@code index}'s response was last written to the socket: once the client has read the whole
     * response, the moment its final bytes went out. Empty before the first byte.
     */
    public Optional<Instant> respondedAt(int index) {
        return Optional.ofNullable(respondedAt.get(index));
    }

    /** {@link #respondedAt} of the newest /v1/messages request; throws if nothing of it is written yet. */
    public Instant lastResponseEndedAt() {
        int last = requests().size() - 1;
        return respondedAt(last).orElseThrow(() -> new IllegalStateException(
                last < 0 ? "no /v1/messages request yet" : "the response to request " + last + " is not written yet"));
    }

    /** Every HTTP request received, of any path (count_tokens and 404s included). */
    public int calls() {
        return calls.get();
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }

    /** One /v1/messages request: its position in {@link #requests()}, its JSON body and when it arrived. */
    public record Request(int index, JsonNode body, Instant at) {
        public Request {
            if (index < 0) {
                throw new IllegalArgumentException("index must be >= 0: " + index);
            }
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(at, "at");
            if (!body.isObject()) {
                throw new IllegalArgumentException("body must be a JSON object: " + body);
            }
        }

        public List<JsonNode> messages() {
            List<JsonNode> out = new ArrayList<>();
            body.path("messages").forEach(out::add);
            return out;
        }

        public boolean stream() {
            return body.path("stream").asBoolean(false);
        }

        /** All text of the last user-role message: string content, text blocks and tool results, joined by "\n". */
        public String lastUserText() {
            List<JsonNode> messages = messages();
            for (int i = messages.size() - 1; i >= 0; i--) {
                if ("user".equals(messages.get(i).path("role").asText())) {
                    List<String> parts = new ArrayList<>();
                    texts(messages.get(i).path("content"), parts);
                    return String.join("\n", parts);
                }
            }
            return "";
        }

        /** Every string value anywhere in the body (system, messages, tools...), joined by "\n": for contains-checks. */
        public String allText() {
            List<String> parts = new ArrayList<>();
            strings(body, parts);
            return String.join("\n", parts);
        }

        private static void texts(JsonNode content, List<String> out) {
            if (content.isTextual()) {
                out.add(content.asText());
                return;
            }
            for (JsonNode block : content) {
                switch (block.path("type").asText()) {
                    case "text" -> out.add(block.path("text").asText());
                    case "tool_result" -> texts(block.path("content"), out);
                    default -> { }
                }
            }
        }

        private static void strings(JsonNode node, List<String> out) {
            if (node.isTextual()) {
                out.add(node.asText());
            } else {
                node.forEach(child -> strings(child, out));
            }
        }
    }

    /**
     * What the fake answers to one request: content blocks (HTTP 200; stop_reason tool_use when a tool_use block is
     * among them, else end_turn), or an HTTP error with the documented error body. Extra headers are sent as given.
     */
    public record Reply(int status, List<Block> content, String errorType, String errorMessage, Map<String, String> headers) {
        public Reply {
            Objects.requireNonNull(content, "content");
            Objects.requireNonNull(headers, "headers");
            content = List.copyOf(content);
            headers = Map.copyOf(headers);
            if (status == 200) {
                if (content.isEmpty()) {
                    throw new IllegalArgumentException("a 200 reply needs at least one content block");
                }
                if (errorType != null || errorMessage != null) {
                    throw new IllegalArgumentException("a 200 reply has no error");
                }
            } else {
                if (status < 400 || status > 599) {
                    throw new IllegalArgumentException("an error reply needs a 4xx or 5xx status: " + status);
                }
                if (errorType == null || errorType.isBlank() || errorMessage == null) {
                    throw new IllegalArgumentException("an error reply needs an error type and message");
                }
                if (!content.isEmpty()) {
                    throw new IllegalArgumentException("an error reply has no content");
                }
            }
        }

        public static Reply text(String text) {
            return new Reply(200, List.of(new Text(text)), null, null, Map.of());
        }

        public static Reply toolUse(String name, JsonNode input) {
            return new Reply(200, List.of(ToolUse.of(name, input)), null, null, Map.of());
        }

        public static Reply textThenTool(String text, String name, JsonNode input) {
            return new Reply(200, List.of(new Text(text), ToolUse.of(name, input)), null, null, Map.of());
        }

        /**
         * An HTTP error as the API sends it, e.g. 429 rate_limit_error, 401 authentication_error, 529
         * overloaded_error, 400 invalid_request_error. A 429 carries {@code retry-after: 1}, as the API's do.
         */
        public static Reply error(int status, String errorType, String message) {
            Map<String, String> headers = status == 429 ? Map.of("retry-after", "1") : Map.of();
            return new Reply(status, List.of(), errorType, message, headers);
        }

        /** The same reply with one more (or a replaced) response header, e.g. retry-after or x-should-retry. */
        public Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name.toLowerCase(java.util.Locale.ROOT), Objects.requireNonNull(value, "value"));
            return new Reply(status, content, errorType, errorMessage, more);
        }

        public String stopReason() {
            return content.stream().anyMatch(b -> b instanceof ToolUse) ? "tool_use" : "end_turn";
        }

        /** A content block of a reply. */
        public sealed interface Block permits Text, ToolUse {}

        public record Text(String text) implements Block {
            public Text {
                Objects.requireNonNull(text, "text");
            }
        }

        /** A tool call; {@code id} looks like the API's (toolu_...), as Claude Code echoes it in the tool_result. */
        public record ToolUse(String id, String name, JsonNode input) implements Block {
            public ToolUse {
                if (id == null || !id.startsWith("toolu_")) {
                    throw new IllegalArgumentException("a tool_use id starts with toolu_: " + id);
                }
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("a tool_use needs a name");
                }
                if (input == null || !input.isObject()) {
                    throw new IllegalArgumentException("a tool_use input is a JSON object: " + input);
                }
            }

            static ToolUse of(String name, JsonNode input) {
                return new ToolUse("toolu_01" + random(22), name, input);
            }
        }
    }

    private MockResponse handle(RecordedRequest http) {
        writing.set(-1);
        calls.incrementAndGet();
        try {
            server.takeRequest(0, TimeUnit.MILLISECONDS); // we keep our own list: MockWebServer's would hoard bodies
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String path = http.getRequestUrl() == null ? "" : http.getRequestUrl().encodedPath();
        boolean messages = "/v1/messages".equals(path);
        boolean countTokens = "/v1/messages/count_tokens".equals(path);
        if (!"POST".equals(http.getMethod()) || !(messages || countTokens)) {
            return error(404, "not_found_error", "Not found: " + http.getMethod() + " " + http.getPath(), Map.of());
        }
        String key = http.getHeader("x-api-key");
        String bearer = http.getHeader("authorization");
        if ((key == null || key.isBlank()) && (bearer == null || bearer.isBlank())) {
            return error(401, "authentication_error", "x-api-key header is required", Map.of());
        }
        if (http.getHeader("anthropic-version") == null) {
            return error(400, "invalid_request_error", "anthropic-version header is required", Map.of());
        }
        String raw = http.getBody().readString(StandardCharsets.UTF_8);
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            return error(400, "invalid_request_error", "The request body is not valid JSON.", Map.of());
        }
        int inputTokens = Math.max(1, raw.length() / 4);
        if (countTokens) {
            return json(200, JSON.createObjectNode().put("input_tokens", inputTokens), Map.of());
        }
        Request request;
        synchronized (requests) {
            request = new Request(requests.size(), body, Instant.now());
            requests.add(request);
        }
        Reply reply;
        try {
            reply = Objects.requireNonNull(script.apply(request), "the script returned no reply");
        } catch (RuntimeException e) {
            // surfaces in the CLI's output rather than as a hung connection
            reply = Reply.error(500, "api_error", "FakeClaudeModel script failed: " + e);
        }
        MockResponse response = reply.status() != 200
                ? error(reply.status(), reply.errorType(), reply.errorMessage(), reply.headers())
                : request.stream() ? stream(body, reply, inputTokens) : message(body, reply, inputTokens);
        writing.set(request.index());
        return response;
    }

    private static MockResponse stream(JsonNode body, Reply reply, int inputTokens) {
        StringBuilder sse = new StringBuilder();
        ObjectNode message = messageStart(body, inputTokens);
        event(sse, "message_start", JSON.createObjectNode().put("type", "message_start").set("message", message));
        for (int i = 0; i < reply.content().size(); i++) {
            Reply.Block block = reply.content().get(i);
            ObjectNode start = JSON.createObjectNode().put("type", "content_block_start").put("index", i);
            if (block instanceof Reply.Text) {
                start.putObject("content_block").put("type", "text").put("text", "");
            } else {
                Reply.ToolUse tool = (Reply.ToolUse) block;
                ObjectNode cb = start.putObject("content_block").put("type", "tool_use").put("id", tool.id()).put("name", tool.name());
                cb.putObject("input");
            }
            event(sse, "content_block_start", start);
            if (i == 0) {
                // where the documented examples put it: after the first content_block_start
                event(sse, "ping", JSON.createObjectNode().put("type", "ping"));
            }
            if (block instanceof Reply.Text text) {
                for (String piece : pieces(text.text())) {
                    delta(sse, i, JSON.createObjectNode().put("type", "text_delta").put("text", piece));
                }
            } else {
                // as the API does: an empty first partial_json, then the serialized input in fragments
                List<String> pieces = new ArrayList<>();
                pieces.add("");
                pieces.addAll(pieces(((Reply.ToolUse) block).input().toString()));
                for (String piece : pieces) {
                    delta(sse, i, JSON.createObjectNode().put("type", "input_json_delta").put("partial_json", piece));
                }
            }
            event(sse, "content_block_stop", JSON.createObjectNode().put("type", "content_block_stop").put("index", i));
        }
        ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", reply.stopReason()).putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", outputTokens(reply));
        event(sse, "message_delta", messageDelta);
        event(sse, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
        return new MockResponse().setResponseCode(200)
                .setHeader("content-type", "text/event-stream")
                .setHeader("cache-control", "no-cache")
                .setHeader("request-id", "req_01" + random(22))
                .setChunkedBody(sse.toString(), 1024);
    }

    private static MockResponse message(JsonNode body, Reply reply, int inputTokens) {
        ObjectNode message = messageStart(body, inputTokens);
        ArrayNode content = message.putArray("content");
        for (Reply.Block block : reply.content()) {
            if (block instanceof Reply.Text text) {
                content.addObject().put("type", "text").put("text", text.text());
            } else {
                Reply.ToolUse tool = (Reply.ToolUse) block;
                content.addObject().put("type", "tool_use").put("id", tool.id()).put("name", tool.name()).set("input", tool.input());
            }
        }
        message.put("stop_reason", reply.stopReason());
        ((ObjectNode) message.get("usage")).put("output_tokens", outputTokens(reply));
        return json(200, message, Map.of());
    }

    /** The message as message_start announces it: no content or stop reason yet. */
    private static ObjectNode messageStart(JsonNode body, int inputTokens) {
        ObjectNode message = JSON.createObjectNode()
                .put("id", "msg_01" + random(22))
                .put("type", "message")
                .put("role", "assistant")
                .put("model", body.path("model").asText());
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.putObject("usage")
                .put("input_tokens", inputTokens)
                .put("output_tokens", 1)
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0);
        return message;
    }

    private static int outputTokens(Reply reply) {
        int chars = 0;
        for (Reply.Block block : reply.content()) {
            chars += block instanceof Reply.Text text ? text.text().length() : ((Reply.ToolUse) block).input().toString().length();
        }
        return Math.max(1, chars / 4);
    }

    private static void delta(StringBuilder sse, int index, ObjectNode delta) {
        event(sse, "content_block_delta", JSON.createObjectNode().put("type", "content_block_delta").put("index", index).set("delta", delta));
    }

    private static void event(StringBuilder sse, String name, JsonNode data) {
        sse.append("event: ").append(name).append('\n').append("data: ").append(data).append("\n\n");
    }

    private static List<String> pieces(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < s.length()) {
            int end = Math.min(s.length(), start + DELTA_CHARS);
            // never split a surrogate pair: each delta is a JSON string on its own
            if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
                end++;
            }
            out.add(s.substring(start, end));
            start = end;
        }
        if (out.isEmpty()) {
            out.add("");
        }
        return out;
    }

    private static MockResponse error(int status, String type, String message, Map<String, String> headers) {
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        String requestId = "req_01" + random(22);
        body.put("request_id", requestId);
        Map<String, String> all = new LinkedHashMap<>();
        all.put("request-id", requestId);
        all.putAll(headers);
        return json(status, body, all);
    }

    private static MockResponse json(int status, JsonNode body, Map<String, String> headers) {
        MockResponse response = new MockResponse().setResponseCode(status).setHeader("content-type", "application/json");
        if (!headers.containsKey("request-id")) {
            response.setHeader("request-id", "req_01" + random(22));
        }
        headers.forEach(response::setHeader);
        return response.setBody(body.toString());
    }

    private static String random(int length) {
        StringBuilder sb = new StringBuilder(length);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            sb.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return sb.toString();
    }

    /**
     * Sockets that answer without Nagle's delay (MockWebServer writes headers and body separately) and note when a
     * /v1/messages response's bytes were written. The time is taken before each write, so that it is recorded by the
     * time the client can have read those bytes.
     */
    private final class TimingServerSocketFactory extends ServerSocketFactory {
        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new ServerSocket() {
                @Override
                public Socket accept() throws IOException {
                    Socket socket = new TimingSocket();
                    implAccept(socket);
                    socket.setTcpNoDelay(true);
                    return socket;
                }
            };
        }

        @Override
        public ServerSocket createServerSocket(int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
            throw new UnsupportedOperationException();
        }
    }

    private final class TimingSocket extends Socket {
        private OutputStream out;
        private InputStream in;

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        noteWrite();
                        super.out.write(b, off, len);
                    }

                    @Override
                    public void write(int b) throws IOException {
                        noteWrite();
                        super.out.write(b);
                    }
                };
            }
            return out;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                // reading means the previous response is done: a later write (100-continue) is not part of it
                in = new FilterInputStream(super.getInputStream()) {
                    @Override
                    public int read() throws IOException {
                        writing.set(-1);
                        return super.read();
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        writing.set(-1);
                        return super.read(b, off, len);
                    }
                };
            }
            return in;
        }

        private void noteWrite() {
            int index = writing.get();
            if (index >= 0) {
                respondedAt.put(index, Instant.now());
            }
        }
    }
}
