package dev.relay.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * An ntfy server over real HTTP that follows ntfy's documented API (docs/publish.md, docs/subscribe/api.md) and, where the
 * docs are silent, what ntfy's server does: publish by {@code PUT/POST /TOPIC} (headers or query parameters, actions in
 * the simple or the JSON format), publish as JSON to {@code PUT/POST /}, subscribe to {@code GET /TOPIC[,TOPIC...]/json}
 * (open event, cached messages by {@code since=}, live messages, keepalives; {@code poll=1} answers the cache and
 * closes without an open event), ntfy's error JSON ({@code {"code":40007,"http":400,"error":"...","link":"..."}}), and
 * token access control as a server with {@code auth-default-access: deny-all} and one token answers it.
 *
 * <p>Faults for tests: {@link #down(int)}/{@link #up()}, {@link #refuseConnections()}/{@link #acceptConnections()} (same
 * port, open streams cut), {@link #dropSubscribers()} (streams end cleanly). Every request is recorded.
 *
 * <p>Not modelled: attachments (a body over 4,096 bytes or not UTF-8 answers 40014, as a server without
 * attachment-cache-dir does), delayed delivery, e-mail and calls (40001/40032, as a server without SMTP/Twilio),
 * Markdown, icons, templates, query filters, SSE/raw/WebSocket, RFC 2047 headers, rate limits, users and passwords.
 */
public final class FakeNtfy implements AutoCloseable {
    /** ntfy's default keepalive-interval. */
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(45);
    /** ntfy's default cache-duration; a cached message's {@code expires} is its time plus this. */
    public static final Duration CACHE_DURATION = Duration.ofHours(12);
    /** ntfy's message-size-limit: larger bodies are attachments. */
    public static final int MESSAGE_SIZE_LIMIT = 4096;
    public static final int MAX_ACTIONS = 3;

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOPIC = Pattern.compile("[-_A-Za-z0-9]{1,64}");
    private static final Pattern TOPIC_PATH = Pattern.compile("/([-_A-Za-z0-9]{1,64})");
    private static final Pattern PUBLISH_GET_PATH = Pattern.compile("/([-_A-Za-z0-9]{1,64})/(publish|send|trigger)");
    private static final Pattern JSON_PATH =
            Pattern.compile("/([-_A-Za-z0-9]{1,64}(?:,[-_A-Za-z0-9]{1,64})*)/json");
    private static final Pattern MESSAGE_ID = Pattern.compile("[A-Za-z0-9]{12}");
    private static final Set<String> DISALLOWED_TOPICS =
            Set.of("docs", "static", "file", "app", "metrics", "account", "settings", "signup", "login", "v1");
    private static final String EMPTY_MESSAGE = "triggered";
    private static final String CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object END = new Object();

    static {
        // Answer without Nagle's delay (the JDK server writes headers and body separately); read once per JVM.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final InetSocketAddress address; // the port is fixed after the first bind
    private final ExecutorService pool;
    private final OkHttpClient client;
    private final Object lock = new Object();
    private final List<Stored> published = new ArrayList<>(); // guarded by lock
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Phone> phones = new CopyOnWriteArrayList<>();
    private HttpServer server; // guarded by this
    private long sequence; // guarded by lock
    private volatile Duration keepalive = DEFAULT_KEEPALIVE;
    private volatile String token;
    private volatile int downStatus;
    private volatile boolean closed;

    /** On 127.0.0.1 and a free port. */
    public FakeNtfy() {
        this(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** On {@code bind} (port 0 picks a free one), e.g. an address a Docker container can reach. */
    public FakeNtfy(InetSocketAddress bind) {
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-ntfy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
        try {
            HttpServer s = bindServer(bind, Duration.ZERO);
            server = s;
            address = s.getAddress();
        } catch (IOException e) {
            pool.shutdownNow();
            throw new UncheckedIOException("cannot bind " + bind, e);
        }
    }

    // ---------------------------------------------------------------- configuration and faults

    /** Sets how often open streams get a keepalive event (ntfy's default is 45 s); applies to open streams too. */
    public FakeNtfy keepaliveInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("keepalive interval must be positive: " + interval);
        }
        keepalive = interval;
        return this;
    }

    public Duration keepaliveInterval() {
        return keepalive;
    }

    /**
     * Every publish and subscribe then needs {@code Authorization: Bearer TOKEN} (or Basic auth with an empty user and
     * the token as password, or the {@code ?auth=} parameter). As ntfy with deny-all default access: no credentials
     * answer 403 (40301), wrong credentials 401 (40101) on every path. {@code null} lifts the requirement.
     */
    public FakeNtfy requireToken(String token) {
        this.token = token;
        return this;
    }

    /**
     * Every request answers {@code status} until {@link #up()}: with ntfy's error JSON where ntfy has one (400, 401,
     * 403, 404, 413, 429 as 42901 "limit reached: too many requests", 500, 507), else a plain text body as a proxy in
     * front of ntfy would send (502, 503, 504...). No Retry-After header. Open streams stay open.
     */
    public void down(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("not an error status: " + status);
        }
        downStatus = status;
    }

    public void up() {
        downStatus = 0;
    }

    /** Stops listening on the port (clients see connection refused) and cuts every open connection and stream. */
    public synchronized void refuseConnections() {
        HttpServer s = server;
        if (s == null) {
            return;
        }
        server = null;
        s.stop(0);
        for (Subscriber sub : subscribers) {
            sub.end(false);
        }
    }

    /** Listens again on the same address and port, retrying the bind for up to 10 s. */
    public synchronized void acceptConnections() {
        if (server != null || closed) {
            return;
        }
        try {
            server = bindServer(address, Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + address + " again", e);
        }
    }

    /** Ends every open stream (a clean end of the chunked response); clients must reconnect. */
    public void dropSubscribers() {
        for (Subscriber sub : subscribers) {
            sub.end(true);
        }
    }

    // ---------------------------------------------------------------- inspection

    /** "http://host:port"; 127.0.0.1 when bound to the wildcard address. */
    public String url() {
        InetAddress a = address.getAddress();
        String host = a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + address.getPort();
    }

    public int port() {
        return address.getPort();
    }

    /** Messages published to {@code topic}, oldest first, cached or not ({@code X-Cache: no}). */
    public List<Message> messages(String topic) {
        synchronized (lock) {
            List<Message> out = new ArrayList<>();
            for (Stored s : published) {
                if (s.message.topic().equals(topic)) {
                    out.add(s.message);
                }
            }
            return out;
        }
    }

    /** The first message on {@code topic} (already published or yet to come) that passes {@code p}. */
    public Message awaitMessage(String topic, Predicate<Message> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (Stored s : published) {
                    if (s.message.topic().equals(topic) && p.test(s.message)) {
                        return s.message;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching message on topic " + topic + " within " + timeout.toMillis()
                            + " ms; topic has " + messages(topic));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for a message on " + topic);
                }
            }
        }
    }

    /** Streams open now that include {@code topic}. */
    public int subscribers(String topic) {
        int n = 0;
        for (Subscriber s : subscribers) {
            if (s.topics.contains(topic)) {
                n++;
            }
        }
        return n;
    }

    /** Every request received, in order of arrival, including those answered by {@link #down(int)} or with errors. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** As {@link #requests()}, only those with this method and path. */
    public List<Request> requests(String method, String path) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.method().equalsIgnoreCase(method) && r.path().equals(path)) {
                out.add(r);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- acting as other clients

    /** Publishes {@code text} over HTTP as another client would (with the token if one is required). */
    public Message publish(String topic, String text) {
        okhttp3.Request.Builder b = new okhttp3.Request.Builder()
                .url(url() + "/" + topic)
                .post(RequestBody.create(text, MediaType.get("text/plain; charset=utf-8")));
        String t = token;
        if (t != null) {
            b.header("Authorization", "Bearer " + t);
        }
        try (Response r = client.newCall(b.build()).execute()) {
            String body = r.body() == null ? "" : r.body().string();
            if (r.code() != 200) {
                throw new IllegalStateException("publish to " + topic + " answered HTTP " + r.code() + ": " + body);
            }
            return Message.fromJson(body);
        } catch (IOException e) {
            throw new UncheckedIOException("publish to " + topic + " failed", e);
        }
    }

    /** A phone running the ntfy app; closed with this server. */
    public Phone phone() {
        Phone p = new Phone();
        phones.add(p);
        return p;
    }

    @Override
    public void close() {
        closed = true;
        refuseConnections();
        synchronized (lock) {
            lock.notifyAll();
        }
        for (Phone p : phones) {
            p.close();
        }
        pool.shutdownNow();
        client.dispatcher().executorService().shutdownNow();
        client.connectionPool().evictAll();
    }

    // ---------------------------------------------------------------- records

    /** A message or stream event as ntfy's JSON has it; absent fields are null, 0 or empty. */
    public record Message(String id, long time, long expires, String event, String topic, String message, String title,
                          int priority, List<String> tags, String click, List<Action> actions) {
        public Message {
            tags = tags == null ? List.of() : List.copyOf(tags);
            actions = actions == null ? List.of() : List.copyOf(actions);
        }

        /** The action with this label; fails when there is none. */
        public Action action(String label) {
            for (Action a : actions) {
                if (a.label().equals(label)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("no action labelled " + label + " in " + actions);
        }

        /** As ntfy renders it: fields in ntfy's order, empty ones left out. */
        public String toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", id);
            o.put("time", time);
            if (expires != 0) {
                o.put("expires", expires);
            }
            o.put("event", event);
            o.put("topic", topic);
            putIfSet(o, "title", title);
            putIfSet(o, "message", message);
            if (priority != 0) {
                o.put("priority", priority);
            }
            if (!tags.isEmpty()) {
                ArrayNode a = o.putArray("tags");
                tags.forEach(a::add);
            }
            putIfSet(o, "click", click);
            if (!actions.isEmpty()) {
                ArrayNode a = o.putArray("actions");
                for (Action action : actions) {
                    a.add(action.toJsonNode());
                }
            }
            return o.toString();
        }

        /** Parses one line of a {@code /json} stream or a publish response. */
        public static Message fromJson(String json) {
            try {
                JsonNode n = JSON.readTree(json);
                List<String> tags = new ArrayList<>();
                n.path("tags").forEach(t -> tags.add(t.asText()));
                List<Action> actions = new ArrayList<>();
                for (JsonNode a : n.path("actions")) {
                    actions.add(new Action(text(a, "id"), text(a, "action"), text(a, "label"), text(a, "url"),
                            text(a, "method"), stringMap(a.get("headers")), text(a, "body"), a.path("clear").asBoolean(),
                            text(a, "intent"), stringMap(a.get("extras"))));
                }
                return new Message(text(n, "id"), n.path("time").asLong(), n.path("expires").asLong(),
                        text(n, "event"), text(n, "topic"), text(n, "message"), text(n, "title"),
                        n.path("priority").asInt(), tags, text(n, "click"), actions);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("not message JSON: " + json, e);
            }
        }
    }

    /**
     * A user action. {@code method} is as published (null when not given: the app then uses POST); {@code intent} and
     * {@code extras} belong to {@code broadcast} actions.
     */
    public record Action(String id, String action, String label, String url, String method, Map<String, String> headers,
                         String body, boolean clear, String intent, Map<String, String> extras) {
        public Action {
            headers = headers == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(headers));
            extras = extras == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(extras));
        }

        /** An {@code http} action as a publisher would write it (no id yet). */
        public static Action http(String label, String url, String method, Map<String, String> headers, String body,
                                  boolean clear) {
            return new Action(null, "http", label, url, method, headers, body, clear, null, null);
        }

        ObjectNode toJsonNode() {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", id == null ? "" : id);
            o.put("action", action == null ? "" : action);
            o.put("label", label == null ? "" : label);
            o.put("clear", clear);
            putIfSet(o, "url", url);
            putIfSet(o, "method", method);
            if (!headers.isEmpty()) {
                ObjectNode h = o.putObject("headers");
                headers.forEach(h::put);
            }
            putIfSet(o, "body", body);
            putIfSet(o, "intent", intent);
            if (!extras.isEmpty()) {
                ObjectNode e = o.putObject("extras");
                extras.forEach(e::put);
            }
            return o;
        }
    }

    /** One request as received: {@code query} is the raw query string or "", header names case-insensitive. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {
        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /**
     * Plays the ntfy Android app tapping an action button: an {@code http} action sends its method (POST when none
     * is given), its headers, and its body (empty when none is given; no body for GET and HEAD) to its url, with no
     * Content-Type, as the app's UserActionWorker does with OkHttp.
     */
    public static final class Phone implements AutoCloseable {
        public static final String USER_AGENT = "ntfy/1.16.0 (fdroid; Android 14; SDK 34)";
        private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

        /** Performs the action; returns the HTTP status its url answered. */
        public int perform(Action a) throws IOException {
            if (!"http".equals(a.action())) {
                throw new IllegalArgumentException("the phone performs only http actions over the network: " + a);
            }
            if (a.url() == null || a.url().isEmpty()) {
                throw new IllegalArgumentException("http action without url: " + a);
            }
            String method = a.method() == null || a.method().isEmpty() ? "POST" : a.method();
            boolean noBody = method.equals("GET") || method.equals("HEAD");
            String body = a.body() != null ? a.body() : (noBody ? null : "");
            okhttp3.Request.Builder b = new okhttp3.Request.Builder().url(a.url()).header("User-Agent", USER_AGENT)
                    .method(method, body == null ? null : RequestBody.create(body, (MediaType) null));
            a.headers().forEach(b::addHeader);
            try (Response r = http.newCall(b.build()).execute()) {
                return r.code();
            }
        }

        /** Taps the button labelled {@code label} on notification {@code m}. */
        public int tap(Message m, String label) throws IOException {
            return perform(m.action(label));
        }

        @Override
        public void close() {
            http.dispatcher().executorService().shutdownNow();
            http.connectionPool().evictAll();
        }
    }

    // ---------------------------------------------------------------- server

    private HttpServer bindServer(InetSocketAddress bind, Duration retryFor) throws IOException {
        long deadline = System.nanoTime() + retryFor.toNanos();
        while (true) {
            try {
                HttpServer s = HttpServer.create(bind, 64);
                s.setExecutor(pool);
                s.createContext("/", this::handle);
                s.start();
                return s;
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void handle(HttpExchange ex) {
        try {
            byte[] body = ex.getRequestBody().readAllBytes();
            Call call = new Call(ex, body);
            requests.add(call.record());
            int down = downStatus;
            if (down != 0) {
                answerDown(ex, down);
                return;
            }
            route(call);
        } catch (NtfyError e) {
            sendError(ex, e);
        } catch (IOException | RuntimeException e) {
            // the client went away, or the server was stopped under us
        } finally {
            ex.close();
        }
    }

    private void route(Call c) throws IOException {
        boolean authed = authenticate(c);
        String m = c.method;
        Matcher matcher;
        if ((m.equals("PUT") || m.equals("POST")) && c.path.equals("/")) {
            publishJson(c, authed);
        } else if ((m.equals("PUT") || m.equals("POST")) && (matcher = TOPIC_PATH.matcher(c.path)).matches()) {
            publish(c, topic(matcher.group(1)), authed, c.params(Map.of()), c.body);
        } else if (m.equals("GET") && (matcher = PUBLISH_GET_PATH.matcher(c.path)).matches()) {
            publish(c, topic(matcher.group(1)), authed, c.params(Map.of()), c.body);
        } else if (m.equals("GET") && (matcher = JSON_PATH.matcher(c.path)).matches()) {
            subscribe(c, matcher.group(1), authed);
        } else if (m.equals("GET") && c.path.equals("/v1/health")) {
            sendJson(c.ex, 200, "{\"healthy\":true}");
        } else {
            throw NtfyError.NOT_FOUND;
        }
    }

    private static String topic(String id) {
        if (DISALLOWED_TOPICS.contains(id)) {
            throw NtfyError.TOPIC_DISALLOWED;
        }
        return id;
    }

    /** True when the request carries the required token; throws 401 for wrong credentials, as ntfy does. */
    private boolean authenticate(Call c) {
        String required = token;
        if (required == null) {
            return true;
        }
        String header = c.header("Authorization");
        header = header == null ? "" : header.trim();
        String q = c.query("authorization", "auth");
        if (!q.isEmpty()) {
            try {
                header = new String(Base64.getUrlDecoder().decode(q.replace("=", "")), StandardCharsets.UTF_8).trim();
            } catch (IllegalArgumentException e) {
                throw NtfyError.INTERNAL;
            }
        }
        String lower = header.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("basic ") && !lower.startsWith("bearer ")) {
            return false; // anonymous
        }
        String presented;
        if (header.startsWith("Bearer")) {
            presented = header.substring("Bearer".length()).trim();
        } else {
            presented = null;
            if (lower.startsWith("basic ")) {
                try {
                    String userPass = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                            StandardCharsets.UTF_8);
                    int colon = userPass.indexOf(':');
                    if (colon == 0) {
                        presented = userPass.substring(1); // empty user: the password is a token
                    }
                } catch (IllegalArgumentException e) {
                    presented = null;
                }
            }
        }
        if (required.equals(presented)) {
            return true;
        }
        throw NtfyError.UNAUTHORIZED;
    }

    private static void authorize(boolean authed) {
        if (!authed) {
            throw NtfyError.FORBIDDEN;
        }
    }

    // ---------------------------------------------------------------- publish

    private void publishJson(Call c, boolean authed) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(c.body);
        } catch (IOException e) {
            throw NtfyError.JSON_INVALID;
        }
        if (n == null || !n.isObject()) {
            throw NtfyError.JSON_INVALID;
        }
        Map<String, JsonNode> f = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> f.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        for (String s : List.of("topic", "title", "message", "click", "icon", "attach", "filename", "email", "call",
                "cache", "firebase", "delay")) {
            requireType(f.get(s), JsonNode::isTextual);
        }
        requireType(f.get("priority"), JsonNode::isIntegralNumber);
        requireType(f.get("markdown"), JsonNode::isBoolean);
        requireType(f.get("tags"), t -> t.isArray() && all(t, JsonNode::isTextual));
        requireType(f.get("actions"), t -> t.isArray() && all(t, FakeNtfy::isActionObject));
        String topic = str(f.get("topic"));
        if (!TOPIC.matcher(topic).matches()) {
            throw NtfyError.TOPIC_INVALID;
        }
        topic(topic);
        String message = str(f.get("message"));
        if (message.isEmpty()) {
            message = EMPTY_MESSAGE;
        }
        Map<String, String> set = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        putIfSet(set, "X-Title", str(f.get("title")));
        JsonNode prio = f.get("priority");
        if (prio != null && !prio.isNull() && prio.asLong() != 0) {
            set.put("X-Priority", prio.asText());
        }
        JsonNode tags = f.get("tags");
        if (tags != null && tags.size() > 0) {
            List<String> t = new ArrayList<>();
            tags.forEach(x -> t.add(x.asText()));
            set.put("X-Tags", String.join(",", t));
        }
        putIfSet(set, "X-Click", str(f.get("click")));
        putIfSet(set, "X-Email", str(f.get("email")));
        putIfSet(set, "X-Call", str(f.get("call")));
        putIfSet(set, "X-Cache", str(f.get("cache")));
        JsonNode actions = f.get("actions");
        if (actions != null && actions.size() > 0) {
            set.put("X-Actions", actions.toString());
        }
        publish(c, topic, authed, c.params(set), message.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isActionObject(JsonNode a) {
        if (a.isNull()) {
            return true;
        }
        if (!a.isObject()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "id", "action", "label", "url", "method", "body", "intent" -> {
                    if (!v.isTextual()) {
                        return false;
                    }
                }
                case "clear" -> {
                    if (!v.isBoolean()) {
                        return false;
                    }
                }
                case "headers", "extras" -> {
                    if (!v.isObject() || !all(v, x -> x.isTextual() || x.isNull())) {
                        return false;
                    }
                }
                default -> { }
            }
        }
        return true;
    }

    private void publish(Call c, String topic, boolean authed, Function<List<String>, String> p, byte[] body)
            throws IOException {
        authorize(authed);
        boolean cache = bool(p.apply(List.of("x-cache", "cache")), true);
        String title = p.apply(List.of("x-title", "title", "t"));
        String click = p.apply(List.of("x-click", "click"));
        if (!p.apply(List.of("x-email", "x-e-mail", "email", "e-mail", "mail", "e")).isEmpty()) {
            throw NtfyError.EMAIL_DISABLED;
        }
        if (!p.apply(List.of("x-call", "call")).isEmpty()) {
            throw NtfyError.CALLS_DISABLED;
        }
        String message = p.apply(List.of("x-message", "message", "m")).replace("\\n", "\n");
        int priority = priority(p.apply(List.of("x-priority", "priority", "prio", "p")));
        List<String> tags = new ArrayList<>();
        for (String t : p.apply(List.of("x-tags", "tags", "tag", "ta")).split(",")) {
            if (!t.trim().isEmpty()) {
                tags.add(t.trim());
            }
        }
        String actionsText = p.apply(List.of("x-actions", "actions", "action"));
        List<Action> actions = actionsText.isEmpty() ? List.of() : parseActions(actionsText);
        if (body.length > MESSAGE_SIZE_LIMIT || utf8(body) == null) {
            throw NtfyError.ATTACHMENTS_DISALLOWED; // ntfy would make the body an attachment
        }
        String text = utf8(body).trim();
        if (body.length > 0) {
            message = text;
        }
        if (message.isEmpty()) {
            message = EMPTY_MESSAGE;
        }
        long now = System.currentTimeMillis() / 1000;
        Message m = new Message(randomString(12), now, cache ? now + CACHE_DURATION.toSeconds() : 0, "message", topic,
                message, title.isEmpty() ? null : title, priority, tags, click.isEmpty() ? null : click, actions);
        synchronized (lock) {
            published.add(new Stored(m, ++sequence, cache));
            for (Subscriber s : subscribers) {
                if (s.topics.contains(topic)) {
                    s.queue.add(m);
                }
            }
            lock.notifyAll();
        }
        sendJson(c.ex, 200, m.toJson());
    }

    private static int priority(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "":
                return 0;
            case "1": case "min":
                return 1;
            case "2": case "low":
                return 2;
            case "3": case "default":
                return 3;
            case "4": case "high":
                return 4;
            case "5": case "max": case "urgent":
                return 5;
            default:
                throw NtfyError.PRIORITY_INVALID;
        }
    }

    // ---------------------------------------------------------------- actions

    /** Parses the X-Actions value: a JSON array when it starts with "[", else ntfy's simple format. */
    static List<Action> parseActions(String text) {
        String s = text.trim();
        List<Draft> drafts;
        try {
            drafts = s.startsWith("[") ? jsonActions(s) : new SimpleActions(s).parse();
        } catch (IllegalArgumentException e) {
            throw NtfyError.actionsInvalid(e.getMessage());
        }
        if (drafts.size() > MAX_ACTIONS) {
            throw NtfyError.actionsInvalid("only " + MAX_ACTIONS + " actions allowed");
        }
        List<Action> out = new ArrayList<>();
        for (Draft d : drafts) {
            String action = d.action.toLowerCase(Locale.ROOT);
            String method = d.method.toUpperCase(Locale.ROOT);
            if (!Set.of("view", "broadcast", "http").contains(action)) {
                throw NtfyError.actionsInvalid("parameter 'action' cannot be '" + action
                        + "', valid values are 'view', 'broadcast' and 'http'");
            } else if (d.label.isEmpty()) {
                throw NtfyError.actionsInvalid("parameter 'label' is required");
            } else if ((action.equals("view") || action.equals("http")) && d.url.isEmpty()) {
                throw NtfyError.actionsInvalid("parameter 'url' is required for action '" + action + "'");
            } else if (action.equals("http") && (method.equals("GET") || method.equals("HEAD")) && !d.body.isEmpty()) {
                throw NtfyError.actionsInvalid("parameter 'body' cannot be set if method is " + method);
            }
            out.add(new Action(randomString(10), action, d.label, emptyToNull(d.url), emptyToNull(method), d.headers,
                    emptyToNull(d.body), d.clear, emptyToNull(d.intent), d.extras));
        }
        return out;
    }

    private static List<Draft> jsonActions(String s) {
        JsonNode n;
        try {
            n = JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JSON error: " + e.getOriginalMessage());
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException("JSON error: cannot unmarshal " + n.getNodeType() + " into actions");
        }
        List<Draft> out = new ArrayList<>();
        for (JsonNode a : n) {
            if (!a.isObject() || !isActionObject(a)) {
                throw new IllegalArgumentException("JSON error: cannot unmarshal " + a + " into an action");
            }
            Draft d = new Draft();
            a.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v.isNull()) {
                    return;
                }
                switch (e.getKey().toLowerCase(Locale.ROOT)) {
                    case "action" -> d.action = v.asText();
                    case "label" -> d.label = v.asText();
                    case "url" -> d.url = v.asText();
                    case "method" -> d.method = v.asText();
                    case "body" -> d.body = v.asText();
                    case "intent" -> d.intent = v.asText();
                    case "clear" -> d.clear = v.asBoolean();
                    case "headers" -> v.fields().forEachRemaining(h -> d.headers.put(h.getKey(), h.getValue().asText("")));
                    case "extras" -> v.fields().forEachRemaining(h -> d.extras.put(h.getKey(), h.getValue().asText("")));
                    default -> { } // "id" is replaced, unknown fields are ignored
                }
            });
            out.add(d);
        }
        return out;
    }

    private static final class Draft {
        String action = "";
        String label = "";
        String url = "";
        String method = "";
        String body = "";
        String intent = "";
        boolean clear;
        final Map<String, String> headers = new TreeMap<>();
        final Map<String, String> extras = new TreeMap<>();
    }

    /**
     * ntfy's simple format: actions separated by ";", fields by ","; a field is "key=value" or a bare value, bare ones
     * being action, label and (for view and http) url in that order; values may be quoted with " or ' (a backslash
     * escapes the quote); unquoted values are trimmed.
     */
    private static final class SimpleActions {
        private static final Pattern KEY = Pattern.compile("([-.\\w]+)\\s*=\\s*");
        private final String in;
        private int pos;

        SimpleActions(String in) {
            this.in = in;
        }

        List<Draft> parse() {
            List<Draft> out = new ArrayList<>();
            while (pos < in.length()) {
                out.add(action());
            }
            return out;
        }

        private Draft action() {
            Draft d = new Draft();
            for (int field = 0; ; field++) {
                skipSpaces();
                String key = key();
                char c = peek();
                String value;
                boolean last;
                if (isEnd(c)) {
                    value = "";
                    last = c != ',';
                    advance(c);
                } else if (c == '"' || c == '\'') {
                    int start = ++pos;
                    while (pos < in.length() && !(in.charAt(pos) == c && in.charAt(pos - 1) != '\\')) {
                        pos++;
                    }
                    if (pos >= in.length()) {
                        throw new IllegalArgumentException("unexpected end of input, quote started at position " + start);
                    }
                    value = in.substring(start, pos).replace("\\" + c, String.valueOf(c));
                    pos++;
                    skipSpaces();
                    char after = peek();
                    if (!isEnd(after)) {
                        throw new IllegalArgumentException("unexpected character '" + after + "' at position " + pos);
                    }
                    last = after != ',';
                    advance(after);
                } else {
                    int start = pos;
                    while (!isEnd(peek())) {
                        pos++;
                    }
                    char end = peek();
                    value = in.substring(start, pos).trim();
                    last = end != ',';
                    advance(end);
                }
                apply(d, field, key, value);
                skipSpaces();
                if (last) {
                    return d;
                }
            }
        }

        private static void apply(Draft d, int field, String key, String value) {
            if (key.isEmpty()) {
                if (field == 0) {
                    key = "action";
                } else if (field == 1) {
                    key = "label";
                } else if (field == 2 && (d.action.equals("view") || d.action.equals("http"))) {
                    key = "url";
                } else {
                    throw new IllegalArgumentException("term '" + value + "' unknown");
                }
            }
            if (key.startsWith("headers.")) {
                d.headers.put(key.substring("headers.".length()), value);
                return;
            } else if (key.startsWith("extras.")) {
                d.extras.put(key.substring("extras.".length()), value);
                return;
            }
            switch (key.toLowerCase(Locale.ROOT)) {
                case "action" -> d.action = value;
                case "label" -> d.label = value;
                case "url" -> d.url = value;
                case "method" -> d.method = value;
                case "body" -> d.body = value;
                case "intent" -> d.intent = value;
                case "clear" -> {
                    String v = value.toLowerCase(Locale.ROOT);
                    if (!Set.of("true", "yes", "1", "false", "no", "0").contains(v)) {
                        throw new IllegalArgumentException("parameter 'clear' cannot be '" + value
                                + "', only boolean values are allowed (true/yes/1/false/no/0)");
                    }
                    d.clear = v.equals("true") || v.equals("yes") || v.equals("1");
                }
                default -> throw new IllegalArgumentException("key '" + key + "' unknown");
            }
        }

        private String key() {
            Matcher m = KEY.matcher(in).region(pos, in.length());
            if (m.lookingAt()) {
                pos = m.end();
                return m.group(1);
            }
            return "";
        }

        private char peek() {
            return pos < in.length() ? in.charAt(pos) : 0;
        }

        private void advance(char c) {
            if (c != 0) {
                pos++;
            }
        }

        private static boolean isEnd(char c) {
            return c == 0 || c == ',' || c == ';';
        }

        private void skipSpaces() {
            while (pos < in.length() && " \t\r\n".indexOf(in.charAt(pos)) >= 0) {
                pos++;
            }
        }
    }

    // ---------------------------------------------------------------- subscribe

    private void subscribe(Call c, String topicsText, boolean authed) throws IOException {
        Set<String> topics = new LinkedHashSet<>();
        for (String t : topicsText.split(",")) {
            topics.add(topic(t));
        }
        authorize(authed);
        Function<List<String>, String> p = c.params(Map.of());
        boolean poll = bool(p.apply(List.of("x-poll", "poll", "po")), false);
        Since since = since(p.apply(List.of("x-since", "since", "si")), poll);
        c.ex.getResponseHeaders().set("Content-Type", "application/x-ndjson; charset=utf-8");
        c.ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        if (poll) {
            List<Message> backlog;
            synchronized (lock) {
                backlog = cached(topics, since);
            }
            c.ex.sendResponseHeaders(200, 0);
            OutputStream out = c.ex.getResponseBody();
            for (Message m : backlog) {
                writeLine(out, m.toJson());
            }
            return;
        }
        Subscriber sub = new Subscriber(topics);
        List<Message> backlog;
        synchronized (lock) {
            backlog = cached(topics, since); // snapshot and registration together: nothing missed, nothing twice
            subscribers.add(sub);
        }
        try {
            c.ex.sendResponseHeaders(200, 0);
            OutputStream out = c.ex.getResponseBody();
            writeLine(out, event("open", topicsText));
            for (Message m : backlog) {
                writeLine(out, m.toJson());
            }
            long next = System.nanoTime() + keepalive.toNanos();
            while (!closed) {
                long wait = next - System.nanoTime();
                if (wait <= 0) {
                    writeLine(out, event("keepalive", topicsText));
                    next = System.nanoTime() + keepalive.toNanos();
                    continue;
                }
                Object o = sub.queue.poll(wait, TimeUnit.NANOSECONDS);
                if (o == END) {
                    if (!sub.clean) {
                        throw new IOException("cut"); // leave without the final chunk
                    }
                    break;
                } else if (o instanceof Message m) {
                    writeLine(out, m.toJson());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            subscribers.remove(sub);
        }
    }

    private List<Message> cached(Set<String> topics, Since since) {
        List<Stored> candidates = new ArrayList<>();
        for (Stored s : published) {
            if (s.cached && topics.contains(s.message.topic())) {
                candidates.add(s);
            }
        }
        List<Message> out = new ArrayList<>();
        switch (since.kind) {
            case NONE -> { }
            case ALL -> candidates.forEach(s -> out.add(s.message));
            case LATEST -> {
                for (String t : topics) {
                    Stored latest = null;
                    for (Stored s : candidates) {
                        if (s.message.topic().equals(t)) {
                            latest = s;
                        }
                    }
                    if (latest != null) {
                        out.add(latest.message);
                    }
                }
            }
            case ID -> {
                long after = -1;
                for (Stored s : published) {
                    if (s.message.id().equals(since.id)) {
                        after = s.sequence;
                    }
                }
                for (Stored s : candidates) {
                    if (after < 0 || s.sequence > after) { // an unknown id returns everything, as ntfy does
                        out.add(s.message);
                    }
                }
            }
            case TIME -> {
                for (Stored s : candidates) {
                    if (s.message.time() >= since.time) {
                        out.add(s.message);
                    }
                }
            }
        }
        out.sort((a, b) -> Long.compare(a.time(), b.time()));
        return out;
    }

    private enum SinceKind { NONE, ALL, LATEST, ID, TIME }

    private record Since(SinceKind kind, String id, long time) { }

    private static Since since(String s, boolean poll) {
        if (s.isEmpty()) {
            return new Since(poll ? SinceKind.ALL : SinceKind.NONE, null, 0);
        }
        switch (s) {
            case "all":
                return new Since(SinceKind.ALL, null, 0);
            case "latest":
                return new Since(SinceKind.LATEST, null, 0);
            case "none":
                return new Since(SinceKind.NONE, null, 0);
            default:
                break;
        }
        if (MESSAGE_ID.matcher(s).matches()) {
            return new Since(SinceKind.ID, s, 0);
        }
        try {
            return new Since(SinceKind.TIME, null, Long.parseLong(s));
        } catch (NumberFormatException e) {
            // not a timestamp
        }
        Duration d = goDuration(s);
        if (d == null) {
            throw NtfyError.SINCE_INVALID;
        }
        return new Since(SinceKind.TIME, null, (System.currentTimeMillis() - d.toMillis()) / 1000);
    }

    /** Go's time.ParseDuration: "300ms", "-1.5h", "2h45m"; null when it is not one. */
    static Duration goDuration(String s) {
        Matcher whole = Pattern.compile("[-+]?((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+|[-+]?0").matcher(s);
        if (!whole.matches()) {
            return null;
        }
        boolean negative = s.startsWith("-");
        double nanos = 0;
        Matcher part = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)").matcher(s);
        while (part.find()) {
            double v = Double.parseDouble(part.group(1));
            nanos += v * switch (part.group(2)) {
                case "ns" -> 1d;
                case "us", "µs", "μs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
        }
        Duration d = Duration.ofNanos((long) nanos);
        return negative ? d.negated() : d;
    }

    private static String event(String event, String topics) {
        long now = System.currentTimeMillis() / 1000;
        return new Message(randomString(12), now, 0, event, topics, null, null, 0, null, null, null).toJson();
    }

    private static void writeLine(OutputStream out, String json) throws IOException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private final class Subscriber {
        final Set<String> topics;
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        volatile boolean clean = true;

        Subscriber(Set<String> topics) {
            this.topics = Set.copyOf(topics);
        }

        void end(boolean cleanly) {
            clean = cleanly;
            queue.add(END);
        }
    }

    private record Stored(Message message, long sequence, boolean cached) { }

    // ---------------------------------------------------------------- responses and errors

    private static void answerDown(HttpExchange ex, int status) throws IOException {
        NtfyError e = switch (status) {
            case 400 -> NtfyError.BAD_REQUEST;
            case 401 -> NtfyError.UNAUTHORIZED;
            case 403 -> NtfyError.FORBIDDEN;
            case 404 -> NtfyError.NOT_FOUND;
            case 413 -> new NtfyError(41301, 413, "attachment too large, or bandwidth limit reached", LIMITS_LINK);
            case 429 -> NtfyError.TOO_MANY_REQUESTS;
            case 500 -> NtfyError.INTERNAL;
            case 507 -> new NtfyError(50701, 507,
                    "cannot publish to UnifiedPush topic without previously active subscriber", null);
            default -> null;
        };
        if (e != null) {
            sendError(ex, e);
            return;
        }
        byte[] b = (status + " " + reason(status) + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static String reason(int status) {
        return switch (status) {
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }

    private static void sendError(HttpExchange ex, NtfyError e) {
        try {
            sendJson(ex, e.http, e.json());
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private static void sendJson(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = (json + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static final String LIMITS_LINK = "https://ntfy.sh/docs/publish/#limitations";
    private static final String AUTH_LINK = "https://ntfy.sh/docs/publish/#authentication";

    /** An ntfy error: its code, HTTP status, message and docs link, as ntfy's server/errors.go has them. */
    static final class NtfyError extends RuntimeException {
        static final NtfyError BAD_REQUEST = new NtfyError(40000, 400, "invalid request", null);
        static final NtfyError EMAIL_DISABLED = new NtfyError(40001, 400, "e-mail notifications are not enabled",
                "https://ntfy.sh/docs/config/#e-mail-notifications");
        static final NtfyError PRIORITY_INVALID = new NtfyError(40007, 400, "invalid priority parameter",
                "https://ntfy.sh/docs/publish/#message-priority");
        static final NtfyError SINCE_INVALID = new NtfyError(40008, 400, "invalid since parameter",
                "https://ntfy.sh/docs/subscribe/api/#fetch-cached-messages");
        static final NtfyError TOPIC_INVALID = new NtfyError(40009, 400, "invalid request: topic invalid", null);
        static final NtfyError TOPIC_DISALLOWED =
                new NtfyError(40010, 400, "invalid request: topic name is not allowed", null);
        static final NtfyError ATTACHMENTS_DISALLOWED = new NtfyError(40014, 400,
                "invalid request: attachments not allowed", "https://ntfy.sh/docs/config/#attachments");
        static final NtfyError JSON_INVALID =
                new NtfyError(40024, 400, "invalid request: request body must be valid JSON", null);
        static final NtfyError CALLS_DISABLED = new NtfyError(40032, 400, "invalid request: calling is disabled",
                "https://ntfy.sh/docs/config/#phone-calls");
        static final NtfyError UNAUTHORIZED = new NtfyError(40101, 401, "unauthorized", AUTH_LINK);
        static final NtfyError FORBIDDEN = new NtfyError(40301, 403, "forbidden", AUTH_LINK);
        static final NtfyError NOT_FOUND = new NtfyError(40401, 404, "page not found", null);
        static final NtfyError TOO_MANY_REQUESTS =
                new NtfyError(42901, 429, "limit reached: too many requests", LIMITS_LINK);
        static final NtfyError INTERNAL = new NtfyError(50001, 500, "internal server error", null);

        final int code;
        final int http;
        final String link;

        NtfyError(int code, int http, String error, String link) {
            super(error, null, false, false);
            this.code = code;
            this.http = http;
            this.link = link;
        }

        static NtfyError actionsInvalid(String detail) {
            return new NtfyError(40018, 400, "invalid request: actions invalid; " + detail,
                    "https://ntfy.sh/docs/publish/#action-buttons");
        }

        String json() {
            ObjectNode o = JSON.createObjectNode();
            o.put("code", code);
            o.put("http", http);
            o.put("error", getMessage());
            putIfSet(o, "link", link);
            return o.toString();
        }
    }

    // ---------------------------------------------------------------- request access

    /** A request being handled: headers first, then lowercase query parameters, as ntfy reads its parameters. */
    private static final class Call {
        final HttpExchange ex;
        final String method;
        final String path;
        final String rawQuery;
        final Map<String, String> query = new LinkedHashMap<>();
        final byte[] body;

        Call(HttpExchange ex, byte[] body) {
            this.ex = ex;
            this.method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            this.path = ex.getRequestURI().getPath();
            this.rawQuery = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
            this.body = body;
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                query.putIfAbsent(k, v);
            }
        }

        /** A header value as UTF-8 (the JDK server reads header bytes as ISO-8859-1). */
        String header(String name) {
            String v = ex.getRequestHeaders().getFirst(name);
            return v == null ? null : new String(v.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }

        String query(String... names) {
            for (String n : names) {
                String v = query.get(n.toLowerCase(Locale.ROOT));
                if (v != null && !v.isEmpty()) {
                    return v.trim();
                }
            }
            return "";
        }

        /** ntfy's readParam over the request, with {@code overrides} taking the place of headers of those names. */
        Function<List<String>, String> params(Map<String, String> overrides) {
            return names -> {
                for (String n : names) {
                    String v = overrides.containsKey(n) ? overrides.get(n) : header(n);
                    if (v != null && !v.trim().isEmpty()) {
                        return v.trim();
                    }
                }
                return query(names.toArray(String[]::new));
            };
        }

        Request record() {
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            Headers headers = ex.getRequestHeaders();
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                List<String> values = new ArrayList<>();
                for (String v : e.getValue()) {
                    values.add(new String(v.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                }
                h.put(e.getKey(), List.copyOf(values));
            }
            return new Request(method, path, rawQuery, Collections.unmodifiableMap(h),
                    new String(body, StandardCharsets.UTF_8));
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return s;
            }
        }
    }

    // ---------------------------------------------------------------- small helpers

    private static String randomString(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(CHARS.charAt(RANDOM.nextInt(CHARS.length())));
        }
        return b.toString();
    }

    private static boolean bool(String v, boolean dflt) {
        String s = v.toLowerCase(Locale.ROOT);
        return s.isEmpty() ? dflt : s.equals("1") || s.equals("yes") || s.equals("true");
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void requireType(JsonNode v, Predicate<JsonNode> ok) {
        if (v != null && !v.isNull() && !ok.test(v)) {
            throw NtfyError.JSON_INVALID;
        }
    }

    private static boolean all(JsonNode container, Predicate<JsonNode> p) {
        for (JsonNode x : container) {
            if (!p.test(x)) {
                return false;
            }
        }
        return true;
    }

    private static String str(JsonNode v) {
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Map<String, String> stringMap(JsonNode n) {
        Map<String, String> m = new TreeMap<>();
        if (n != null) {
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return m;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void putIfSet(ObjectNode o, String field, String value) {
        if (value != null && !value.isEmpty()) {
            o.put(field, value);
        }
    }

    private static void putIfSet(Map<String, String> m, String key, String value) {
        if (value != null && !value.isEmpty()) {
            m.put(key, value);
        }
    }
}
