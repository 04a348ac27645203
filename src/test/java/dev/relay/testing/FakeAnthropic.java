package dev.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private MockResponse handle(RecordedRequest request) {
        calls.incrementAndGet();
        try {
            server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS); // we keep our own list; do not hoard bodies
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (fast) {
            arrivals.add(System.nanoTime());
            return new MockResponse().setResponseCode(200).setHeader("content-type", "application/json").setBody(FAST_REPLY);
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
        String text = replies.apply(body);
        ObjectNode usage = account(body);
        usage.put("output_tokens", Math.max(1, text.length() / 4));
        ObjectNode response = JSON.createObjectNode()
                .put("id", "msg_fake_" + calls.get())
                .put("type", "message")
                .put("role", "assistant")
                .put("model", body.path("model").asText())
                .put("stop_reason", "end_turn");
        response.putNull("stop_sequence");
        response.putArray("content").addObject().put("type", "text").put("text", text);
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

    private static List<Block> blocks(JsonNode body) {
        List<Block> out = new ArrayList<>();
        JsonNode system = body.path("system");
        if (system.isTextual()) {
            out.add(new Block(system.asText(), null));
        } else {
            system.forEach(b -> out.add(block(b)));
        }
        for (JsonNode m : body.path("messages")) {
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                out.add(new Block(m.path("role").asText() + ":" + content.asText(), null));
            } else {
                content.forEach(b -> out.add(new Block(m.path("role").asText() + ":" + b.path("text").asText(), ttl(b))));
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
