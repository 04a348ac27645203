package dev.relay.claude;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running relay's loopback endpoint for Relay's Claude Code hooks (see {@link HookScript}): POST
 * /claude/{stop,session-start,stop-failure}?session=S&amp;wait=N with the hook's input, answered with the hook's
 * output. Bound to 127.0.0.1 only, and every request must carry the bearer token the relay wrote to
 * state/hooks/curl-headers (0600); anything else gets 401 before it can do anything. A waiting Stop hook is woken
 * when the relay delivers to its session ({@link #wake}).
 */
public final class HookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HookServer.class);
    private static final int MAX_INPUT_BYTES = 8 << 20;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Duration LONGEST_WAIT = Duration.ofHours(2);

    private final Home home;
    private final HttpServer server;
    private final ExecutorService threads;
    private final String token;
    private final ClaudeHooks hooks;
    private final Map<SessionId, Signal> signals = new ConcurrentHashMap<>();
    private final PermissionDesk permissions;
    private final dev.relay.trail.Trail trail;

    private HookServer(Home home, Clock clock, java.util.function.Supplier<dev.relay.permissions.PermissionPolicy> policy,
                       java.util.function.Supplier<java.util.Optional<dev.relay.anthropic.Coordinator>> coordinator,
                       java.util.function.Supplier<String> model) throws IOException {
        this.home = home;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.token = HexFormat.of().formatHex(secret);
        this.hooks = new ClaudeHooks(home, clock, this::await);
        this.trail = new dev.relay.trail.Trail(home.trailFile());
        this.permissions = new PermissionDesk(new dev.relay.inbox.Inbox(home.inboxFile(), clock), trail, policy, clock,
                coordinator, model);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "relay-hooks");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/claude/", this::handle);
    }

    /** Starts the endpoint and writes its address and token for the hook script. */
    public static HookServer start(Home home, Clock clock) throws IOException {
        return start(home, clock, () -> dev.relay.permissions.PermissionPolicy.DEFAULT, java.util.Optional::empty, () -> "");
    }

    /** As {@link #start(Home, Clock)}, deciding permission prompts by {@code policy} (read at each prompt). */
    public static HookServer start(Home home, Clock clock,
                                   java.util.function.Supplier<dev.relay.permissions.PermissionPolicy> policy,
                                   java.util.function.Supplier<java.util.Optional<dev.relay.anthropic.Coordinator>> coordinator,
                                   java.util.function.Supplier<String> model) throws IOException {
        HookServer s = new HookServer(home, clock, policy, coordinator, model);
        s.server.start();
        AtomicFiles.ensurePrivateDirectory(home.hooksDir());
        AtomicFiles.write(home.hookHeadersFile(), "Authorization: Bearer " + s.token + "\n");
        AtomicFiles.write(home.hookEndpointFile(), s.url() + "\n");
        LOG.info("Claude Code hooks answered at {}", s.url());
        return s;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Only for tests: the token the endpoint asks for. */
    String token() {
        return token;
    }

    /** The relay delivered something to {@code session}: a Stop hook waiting for it looks at once. */
    public void wake(SessionId session) {
        signals.computeIfAbsent(session, s -> new Signal()).raise();
    }

    private void await(SessionId session, Duration atMost) throws InterruptedException {
        // a bounded wait: the signal only makes it quicker; rejections and the relay's state are polled
        signals.computeIfAbsent(session, s -> new Signal()).await(Math.min(200, Math.max(1, atMost.toMillis())));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
                respond(ex, 401, "missing or wrong token\n");
                return;
            }
            if (!"POST".equals(ex.getRequestMethod())) {
                respond(ex, 405, "POST only\n");
                return;
            }
            String event = ex.getRequestURI().getPath().substring("/claude/".length());
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            SessionId session;
            try {
                session = SessionId.of(query.getOrDefault("session", ""));
            } catch (IllegalArgumentException e) {
                respond(ex, 400, e.getMessage() + "\n");
                return;
            }
            byte[] body = readAtMost(ex.getRequestBody(), MAX_INPUT_BYTES);
            if (body == null) {
                respond(ex, 413, "the hook input is larger than " + MAX_INPUT_BYTES + " bytes\n");
                return;
            }
            HookInput input;
            try {
                input = HookInput.parse(new String(body, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                respond(ex, 400, e.getMessage() + "\n");
                return;
            }
            ClaudeHooks.Outcome outcome;
            try {
                outcome = switch (event) {
                    case "stop" -> hooks.stop(session, input,
                            ClaudeHooks.blockCap(ex.getRequestHeaders().getFirst("X-Claude-Block-Cap")), waitOf(query));
                    case "session-start" -> hooks.sessionStart(session, input);
                    case "stop-failure" -> hooks.stopFailure(session, input);
                    case "permission-request" -> permissions.request(session, JSON.readTree(body));
                    default -> null;
                };
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                respond(ex, 503, "the relay is stopping\n");
                return;
            } catch (RuntimeException e) {
                // 200 with no output: Claude Code goes on as without the hook (the script must not run it again)
                LOG.warn("Claude Code hook {} for {} failed: {}", event, session, e.getMessage());
                respond(ex, 200, "");
                return;
            }
            if (outcome == null) {
                respond(ex, 404, "no such hook: " + event + "\n");
                return;
            }
            LOG.info("Claude Code {} hook of {}: {}", event, session, outcome.note());
            if (respond(ex, 200, outcome.output().map(o -> o + "\n").orElse(""))) {
                outcome.delivered().run();
            }
        }
    }

    private static Duration waitOf(Map<String, String> query) {
        try {
            Duration d = Duration.ofSeconds(Long.parseLong(query.getOrDefault("wait", "600")));
            return d.isNegative() ? Duration.ZERO : d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d;
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(600);
        }
    }

    private boolean authorized(String header) {
        String expected = "Bearer " + token;
        return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the answer; false when the hook is gone (killed on its timeout): then nothing counts as handed over. */
    private static boolean respond(HttpExchange ex, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            ex.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/plain; charset=utf-8");
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
            return true;
        } catch (IOException e) {
            LOG.warn("a Claude Code hook went away before its answer: {}", e.getMessage());
            return false;
        }
    }

    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        return bytes.length > max ? null : bytes;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        AtomicFiles.deleteQuietly(home.hookEndpointFile());
        AtomicFiles.deleteQuietly(home.hookHeadersFile());
        server.stop(0);
        threads.shutdownNow();
        trail.close();
    }

    /** A wake-up that is not lost when it comes before the wait. */
    private static final class Signal {
        private boolean raised;

        synchronized void raise() {
            raised = true;
            notifyAll();
        }

        synchronized void await(long millis) throws InterruptedException {
            if (!raised) {
                wait(millis);
            }
            raised = false;
        }
    }
}
