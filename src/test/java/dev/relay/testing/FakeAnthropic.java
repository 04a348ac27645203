package dev.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A Messages API over real HTTP that behaves as the documentation says where Relay depends on it: headers checked,
 * error bodies and status codes as documented, and prompt-cache accounting (breakpoints, 20-block lookback, 5m/1h
 * lifetimes refreshed on each hit, the 1,024-token minimum, and the usage fields split by lifetime). Tokens are
 * counted as characters / 4.
 */
public final class FakeAnthropic implements AutoCloseable {
    public static final int MIN_CACHEABLE_TOKENS = 1024;
    private static final int LOOKBACK_BLOCKS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockWebServer server = new MockWebServer();
    private final Clock clock;
    private final Map<String, Instant> cache = new HashMap<>();
    private final ConcurrentLinkedQueue<MockResponse> scripted = new ConcurrentLinkedQueue<>();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Function<JsonNode, String> replies = req -> "ack";
    private volatile Duration latency = Duration.ZERO;
    private volatile boolean fast;
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();

    public FakeAnthropic(Clock clock) throws IOException {
        this.clock = clock;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        // Like a real server, answer without Nagle's delay (MockWebServer writes headers and body separately).
        server.setServerSocketFactory(new javax.net.ServerSocketFactory() {
            @Override
            public java.net.ServerSocket createServerSocket() throws IOException {
                return new java.net.ServerSocket() {
                    @Override
                    public java.net.Socket accept() throws IOException {
                        java.net.Socket s = super.accept();
                        s.setTcpNoDelay(true);
                        return s;
                    }
                };
            }

            @Override
            public java.net.ServerSocket createServerSocket(int port) throws IOException {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.net.ServerSocket createServerSocket(int port, int backlog, java.net.InetAddress address) throws IOException {
                throw new UnsupportedOperationException();
            }
        });
        server.start();
    }

    public String baseUrl() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    /** How the reply text is made from the request body. */
    public void replies(Function<JsonNode, String> replies) {
        this.replies = replies;
    }

    /**
     * Answers at once with a fixed reply, without parsing the body or accounting the cache, and records when each
     * request arrived (System.nanoTime): for benchmarks that measure Relay rather than this fake.
     */
    public void fast(boolean fast) {
        this.fast = fast;
    }

    public List<Long> arrivals() {
        return arrivals;
    }

    public void latency(Duration latency) {
        this.latency = latency;
    }

    /** The next calls get these responses (errors, delays) before normal service resumes. */
    public void enqueue(MockResponse response) {
        scripted.add(response);
    }

    public static MockResponse error(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return new MockResponse().setResponseCode(status).setHeader("content-type", "application/json")
                .setHeader("request-id", "req_fake_error").setBody(body.toString());
    }

    public static MockResponse spendLimit() {
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        ObjectNode err = body.putObject("error").put("type", "rate_limit_error")
                .put("message", "You have reached your specified API usage limits.");
        err.putObject("details").put("error_code", "enforced_spend_limit_reached");
        return new MockResponse().setResponseCode(429).setHeader("content-type", "application/json").setBody(body.toString());
    }

    public List<JsonNode> requests() {
        return requests;
    }

    public int calls() {
        return calls.get();
    }

    public MockWebServer server() {
        return server;
    }

    private static final String FAST_REPLY = "{\"id\":\"msg_fast\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"fake\",\"stop_reason\":\"end_turn\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],"
            + "\"usage\":{\"input_tokens\":10,\"output_tokens\":1,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}";

    private static final okio.ByteString FORCED_TOOL = okio.ByteString.encodeUtf8("\"tool_choice\":{\"type\":\"tool\"");

    private static final okio.ByteString MESSAGES = okio.ByteString.encodeUtf8("\"messages\":");

    /**
     * Whether the request forces the reply tool, read from the body's head only: Relay writes {@code tool_choice}
     * before the messages, and scanning all of a 400k-character history at every call would make this fake, not
     * Relay, the part of a turn that grows with the history.
     */
    private static boolean forcesTool(RecordedRequest request) {
        try {
            okio.Buffer body = request.getBody();
            long end = body.indexOf(MESSAGES);
            okio.Buffer head = new okio.Buffer();
            body.copyTo(head, 0, end < 0 ? body.size() : end);
            return head.indexOf(FORCED_TOOL) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    private MockResponse handle(RecordedRequest request) {
        calls.incrementAndGet();
        try {
            server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS); // we keep our own list; do not hoard bodies
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (fast) {
            arrivals.add(System.nanoTime());
            if (!forcesTool(request)) {
                return new MockResponse().setResponseCode(200).setHeader("content-type", "application/json").setBody(FAST_REPLY);
            }
            // a batched turn: still "ok", but once per report, through the tool the request requires
            try {
                ArrayNode content = JSON.createArrayNode();
                int n = 0;
                JsonNode body = lastMessageOnly(request.getBody().readString(StandardCharsets.UTF_8));
                for (BatchLayout.Report r : BatchLayout.reports(lastUserText(body))) {
                    ObjectNode use = content.addObject().put("type", "tool_use").put("id", "toolu_fast_" + calls.get() + "_" + (++n))
                            .put("name", body.at("/tool_choice/name").asText());
                    use.putObject("input").put("session", r.session()).put("text", "ok");
                }
                ObjectNode reply = (ObjectNode) JSON.readTree(FAST_REPLY);
                reply.put("stop_reason", "tool_use").set("content", content);
                return new MockResponse().setResponseCode(200).setHeader("content-type", "application/json").setBody(reply.toString());
            } catch (IOException e) {
                return error(400, "invalid_request_error", "body is not JSON");
            }
        }
        if (!"/v1/messages".equals(request.getPath()) || !"POST".equals(request.getMethod())) {
            return error(404, "not_found_error", "Not found: " + request.getPath());
        }
        if (request.getHeader("x-api-key") == null || request.getHeader("x-api-key").isBlank()) {
            return error(401, "authentication_error", "x-api-key header is required");
        }
        if (request.getHeader("anthropic-version") == null) {
            return error(400, "invalid_request_error", "anthropic-version header is required");
        }
        JsonNode body;
        try {
            body = JSON.readTree(request.getBody().readString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return error(400, "invalid_request_error", "body is not JSON");
        }
        requests.add(body);
        MockResponse next = scripted.poll();
        if (next != null) {
            return next;
        }
        String problem = validate(body);
        if (problem != null) {
            return error(400, "invalid_request_error", problem);
        }
        if (!latency.isZero()) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ObjectNode usage = account(body);
        ObjectNode response = JSON.createObjectNode()
                .put("id", "msg_fake_" + calls.get())
                .put("type", "message")
                .put("role", "assistant")
                .put("model", body.path("model").asText());
        ArrayNode content = response.putArray("content");
        int outChars;
        JsonNode choice = body.path("tool_choice");
        if ("tool".equals(choice.path("type").asText()) || "any".equals(choice.path("type").asText())) {
            // the model must call a tool: one call of the reply tool per report of the batched turn
            String tool = choice.path("name").asText(body.path("tools").path(0).path("name").asText());
            outChars = 0;
            int n = 0;
            for (BatchLayout.Report r : BatchLayout.reports(lastUserText(body))) {
                String text = replies.apply(alone(body, r));
                ObjectNode use = content.addObject().put("type", "tool_use").put("id", "toolu_fake_" + calls.get() + "_" + (++n))
                        .put("name", tool);
                use.putObject("input").put("session", r.session()).put("text", text);
                outChars += text.length() + r.session().length() + 30;
            }
            response.put("stop_reason", "tool_use");
        } else {
            String text = replies.apply(body);
            content.addObject().put("type", "text").put("text", text);
            outChars = text.length();
            response.put("stop_reason", "end_turn");
        }
        response.putNull("stop_sequence");
        usage.put("output_tokens", Math.max(1, outChars / 4));
        response.set("usage", usage);
        return new MockResponse().setResponseCode(200).setHeader("content-type", "application/json")
                .setHeader("request-id", "req_fake_" + calls.get()).setBody(response.toString());
    }

    private static String validate(JsonNode body) {
        if (!body.path("model").isTextual()) {
            return "model: field required";
        }
        if (!body.path("max_tokens").isInt()) {
            return "max_tokens: field required";
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return "messages: at least one message is required";
        }
        if (!"user".equals(messages.get(0).path("role").asText())) {
            return "messages: first message must use the \"user\" role";
        }
        String tools = validateTools(body);
        if (tools != null) {
            return tools;
        }
        int breakpoints = 0;
        for (Block b : blocks(body)) {
            if (b.ttl != null) {
                breakpoints++;
            }
        }
        if (breakpoints > 4) {
            return "A maximum of 4 blocks with cache_control may be provided. Found " + breakpoints + ".";
        }
        return null;
    }

    private record Block(String text, String ttl) {}

    /**
     * The rules the API enforces on tool use: each tool_use answered by a tool_result with its id at the start of
     * the next user message, no result without its call, a forced tool that is defined, tool blocks only with tools
     * defined, no empty text block.
     */
    private static String validateTools(JsonNode body) {
        java.util.Set<String> defined = new java.util.HashSet<>();
        body.path("tools").forEach(t -> defined.add(t.path("name").asText()));
        JsonNode choice = body.path("tool_choice");
        if (!choice.isMissingNode() && defined.isEmpty()) {
            return "tool_choice: may only be specified while providing tools";
        }
        if ("tool".equals(choice.path("type").asText()) && !defined.contains(choice.path("name").asText())) {
            return "tool_choice: tool " + choice.path("name").asText() + " is not defined in tools";
        }
        JsonNode messages = body.path("messages");
        List<String> open = List.of();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            JsonNode content = m.path("content");
            List<String> uses = new ArrayList<>();
            List<String> results = new ArrayList<>();
            boolean textSeen = false;
            for (JsonNode b : content.isArray() ? content : JSON.createArrayNode()) {
                String type = b.path("type").asText();
                if ("text".equals(type) && b.path("text").asText().isEmpty()) {
                    return "messages." + i + ": text content blocks must be non-empty";
                }
                if ("tool_use".equals(type)) {
                    if (!defined.contains(b.path("name").asText())) {
                        return "messages." + i + ": tool_use names a tool not in tools: " + b.path("name").asText();
                    }
                    uses.add(b.path("id").asText());
                } else if ("tool_result".equals(type)) {
                    if (textSeen) {
                        return "messages." + i + ": tool_result blocks must come before any other content";
                    }
                    results.add(b.path("tool_use_id").asText());
                } else {
                    textSeen = true;
                }
            }
            if ("user".equals(m.path("role").asText())) {
                if (!new java.util.HashSet<>(results).equals(new java.util.HashSet<>(open))) {
                    return "messages." + i + ": tool_use ids were found without tool_result blocks immediately after: "
                            + open + " (the tool_result blocks name " + results + ")";
                }
                open = List.of();
            } else {
                if (!open.isEmpty()) {
                    return "messages." + i + ": tool_use ids " + open + " were not answered before this assistant message";
                }
                if (!results.isEmpty()) {
                    return "messages." + i + ": tool_result blocks are only allowed in user messages";
                }
                open = uses;
            }
        }
        return null;
    }

    private static final java.util.regex.Pattern TOOL_NAME = java.util.regex.Pattern.compile(
            "\"tool_choice\":\\{\"type\":\"tool\",\"name\":\"([^\"]+)\"");

    /**
     * The fast path's view of a body: its tool_choice and its last message, found by Relay's layout (tool_choice
     * before the messages, each message opening with its role, the body closing the array right after the last)
     * rather than by parsing a history that grows with every turn of a saturated run.
     */
    private static JsonNode lastMessageOnly(String body) throws IOException {
        int last = body.lastIndexOf("{\"role\":\"user\"");
        if (last < 0 || !body.endsWith("]}")) {
            return JSON.readTree(body);
        }
        ObjectNode view = JSON.createObjectNode();
        view.putArray("messages").add(JSON.readTree(body.substring(last, body.length() - 2)));
        java.util.regex.Matcher m = TOOL_NAME.matcher(body.substring(0, Math.min(body.length(), body.indexOf("\"messages\":") + 1)));
        if (m.find()) {
            view.putObject("tool_choice").put("type", "tool").put("name", m.group(1));
        }
        return view;
    }

    private static String lastUserText(JsonNode body) {
        JsonNode messages = body.path("messages");
        JsonNode content = messages.get(messages.size() - 1).path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        content.forEach(b -> {
            if ("text".equals(b.path("type").asText())) {
                text.append(b.path("text").asText());
            }
        });
        return text.toString();
    }

    /** A request of one report, as the replies function sees a single report: "[session S] text". */
    private static JsonNode alone(JsonNode body, BatchLayout.Report r) {
        ObjectNode one = body.deepCopy();
        ArrayNode messages = one.putArray("messages");
        messages.addObject().put("role", "user").putArray("content").addObject().put("type", "text")
                .put("text", "[session " + r.session() + "] " + r.text());
        return one;
    }

    /**
     * The prompt as the cache sees it, in its order: tools, system, then (after tool_choice, whose change invalidates
     * the cached messages but not the tools or the system prompt) each message's blocks.
     */
    private static List<Block> blocks(JsonNode body) {
        List<Block> out = new ArrayList<>();
        if (body.has("tools")) {
            out.add(new Block("tools:" + body.get("tools").toString(), null));
        }
        JsonNode system = body.path("system");
        if (system.isTextual()) {
            out.add(new Block(system.asText(), null));
        } else {
            system.forEach(b -> out.add(block(b)));
        }
        if (body.has("tool_choice")) {
            out.add(new Block("tool_choice:" + body.get("tool_choice").toString(), null));
        }
        for (JsonNode m : body.path("messages")) {
            JsonNode content = m.path("content");
            String role = m.path("role").asText();
            if (content.isTextual()) {
                out.add(new Block(role + ":" + content.asText(), null));
            } else {
                content.forEach(b -> out.add(new Block(role + ":" + switch (b.path("type").asText()) {
                    case "tool_use" -> "tool_use:" + b.path("id").asText() + ":" + b.path("input").toString();
                    case "tool_result" -> "tool_result:" + b.path("tool_use_id").asText() + ":" + b.path("content").asText();
                    default -> b.path("text").asText();
                }, ttl(b))));
            }
        }
        return out;
    }

    private static Block block(JsonNode b) {
        return new Block(b.path("text").asText(), ttl(b));
    }

    private static String ttl(JsonNode b) {
        JsonNode cc = b.get("cache_control");
        return cc == null ? null : cc.path("ttl").asText("5m");
    }

    private static long tokens(String text) {
        return (text.length() + 3) / 4;
    }

    /** Prompt-cache accounting for one request, updating the cache. */
    private synchronized ObjectNode account(JsonNode body) {
        Instant now = clock.instant();
        cache.values().removeIf(expiry -> !expiry.isAfter(now));
        List<Block> blocks = blocks(body);
        long[] prefixTokens = new long[blocks.size() + 1];
        String[] prefixHash = new String[blocks.size() + 1];
        MessageDigest md = sha256();
        for (int i = 0; i < blocks.size(); i++) {
            prefixTokens[i + 1] = prefixTokens[i] + tokens(blocks.get(i).text);
            md.update(blocks.get(i).text.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            prefixHash[i + 1] = HexFormat.of().formatHex(cloneDigest(md));
        }
        List<Integer> breakpoints = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).ttl != null) {
                breakpoints.add(i + 1);
            }
        }
        ObjectNode usage = JSON.createObjectNode();
        if (breakpoints.isEmpty()) {
            usage.put("input_tokens", prefixTokens[blocks.size()]);
            usage.put("cache_creation_input_tokens", 0);
            usage.put("cache_read_input_tokens", 0);
            usage.putObject("cache_creation").put("ephemeral_5m_input_tokens", 0).put("ephemeral_1h_input_tokens", 0);
            return usage;
        }
        // The longest cached prefix ending at a breakpoint or up to 20 blocks before one.
        int read = 0;
        for (int bp : breakpoints) {
            for (int end = bp; end >= Math.max(1, bp - LOOKBACK_BLOCKS); end--) {
                if (end > read && cache.containsKey(prefixHash[end])) {
                    read = end;
                    break;
                }
            }
        }
        long created5m = 0;
        long created1h = 0;
        int segmentStart = read;
        for (int bp : breakpoints) {
            if (bp <= read) {
                refresh(prefixHash[bp], blocks.get(bp - 1).ttl, now);
                continue;
            }
            if (prefixTokens[bp] >= MIN_CACHEABLE_TOKENS) {
                long segment = prefixTokens[bp] - prefixTokens[segmentStart];
                if ("1h".equals(blocks.get(bp - 1).ttl)) {
                    created1h += segment;
                } else {
                    created5m += segment;
                }
                refresh(prefixHash[bp], blocks.get(bp - 1).ttl, now);
                segmentStart = bp;
            }
        }
        if (read > 0) {
            refresh(prefixHash[read], blocks.get(Math.max(0, read - 1)).ttl == null ? "5m" : blocks.get(read - 1).ttl, now);
        }
        long cachedOrCreated = prefixTokens[segmentStart];
        usage.put("input_tokens", prefixTokens[blocks.size()] - cachedOrCreated);
        usage.put("cache_creation_input_tokens", created5m + created1h);
        usage.put("cache_read_input_tokens", prefixTokens[read]);
        usage.putObject("cache_creation").put("ephemeral_5m_input_tokens", created5m).put("ephemeral_1h_input_tokens", created1h);
        return usage;
    }

    private void refresh(String hash, String ttl, Instant now) {
        Duration life = "1h".equals(ttl) ? Duration.ofHours(1) : Duration.ofMinutes(5);
        Instant expiry = now.plus(life);
        cache.merge(hash, expiry, (a, b) -> a.isAfter(b) ? a : b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] cloneDigest(MessageDigest md) {
        try {
            return ((MessageDigest) md.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}
