package dev.relay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.FakeNtfy.Action;
import dev.relay.testing.FakeNtfy.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeNtfyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

    private FakeNtfy ntfy;
    private OkHttpClient http;
    private final List<Stream> streams = new ArrayList<>();

    @BeforeEach
    void start() {
        ntfy = new FakeNtfy().keepaliveInterval(Duration.ofMillis(200));
        http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).retryOnConnectionFailure(false).build();
    }

    @AfterEach
    void stop() {
        streams.forEach(Stream::close);
        ntfy.close();
        http.dispatcher().executorService().shutdownNow();
        http.connectionPool().evictAll();
    }

    // ---------------------------------------------------------------- publishing

    @Test
    void headerPublishParsesTitlePriorityTagsAndActions() throws IOException {
        Answer a = post("/alerts", "  Disk full \n", Map.of(
                "Title", "Low disk",
                "Priority", "high",
                "Tags", "warning, cd,,",
                "Actions", "http, Approve, https://relay.lan/approve, method=put, headers.X-Foo=bar, "
                        + "body='{\"ok\": true, \"n\": 1}', clear=true; "
                        + "action=view, label=\"Open, now\", url=https://relay.lan/"));
        assertEquals(200, a.status, a.body);
        JsonNode j = a.json();
        assertEquals("message", j.get("event").asText());
        assertEquals("alerts", j.get("topic").asText());
        assertEquals("Disk full", j.get("message").asText(), "body is trimmed");
        assertEquals("Low disk", j.get("title").asText());
        assertEquals(4, j.get("priority").asInt());
        assertEquals(List.of("warning", "cd"), texts(j.get("tags")));
        assertTrue(j.get("id").asText().matches("[A-Za-z0-9]{12}"), j.toString());
        long now = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(j.get("time").asLong() - now) < 60, j.toString());
        assertEquals(j.get("time").asLong() + 12 * 3600, j.get("expires").asLong());

        JsonNode http0 = j.get("actions").get(0);
        assertTrue(http0.get("id").asText().matches("[A-Za-z0-9]{10}"), http0.toString());
        assertEquals("http", http0.get("action").asText());
        assertEquals("Approve", http0.get("label").asText());
        assertEquals("https://relay.lan/approve", http0.get("url").asText());
        assertEquals("PUT", http0.get("method").asText(), "method is upper-cased");
        assertEquals("bar", http0.get("headers").get("X-Foo").asText());
        assertEquals("{\"ok\": true, \"n\": 1}", http0.get("body").asText());
        assertTrue(http0.get("clear").asBoolean());
        JsonNode view = j.get("actions").get(1);
        assertEquals("view", view.get("action").asText());
        assertEquals("Open, now", view.get("label").asText());
        assertFalse(view.get("clear").asBoolean(), "clear is always present");
        assertFalse(view.has("method"), "no method given, none rendered: " + view);

        Message m = ntfy.messages("alerts").get(0);
        assertEquals(j.get("id").asText(), m.id());
        assertEquals(Map.of("X-Foo", "bar"), m.action("Approve").headers());
        assertEquals("PUT", m.action("Approve").method());
        assertNull(m.action("Open, now").method());
    }

    @Test
    void aliasesQueryParametersAndJsonActionsHeader() throws IOException {
        Answer a = post("/alerts?p=urgent&ta=a,b", "", Map.of("X-Title", "t1",
                "X-Actions", "[{\"action\":\"HTTP\",\"label\":\"Go\",\"url\":\"https://x.lan/\","
                        + "\"headers\":{\"Authorization\":\"Bearer k\"},\"body\":\"b\"}]"));
        assertEquals(200, a.status, a.body);
        JsonNode j = a.json();
        assertEquals("triggered", j.get("message").asText(), "an empty body is ntfy's 'triggered'");
        assertEquals("t1", j.get("title").asText());
        assertEquals(5, j.get("priority").asInt());
        assertEquals(List.of("a", "b"), texts(j.get("tags")));
        JsonNode act = j.get("actions").get(0);
        assertEquals("http", act.get("action").asText(), "action is lower-cased");
        assertEquals("Bearer k", act.get("headers").get("Authorization").asText());
        assertFalse(act.has("method"));

        Answer viaPut = call("PUT", "/alerts?t=qt&m=from%20query", null, Map.of());
        assertEquals(200, viaPut.status, viaPut.body);
        assertEquals("qt", viaPut.json().get("title").asText());
        assertEquals("from query", viaPut.json().get("message").asText());

        Answer noPrio = post("/alerts", "x", Map.of());
        assertFalse(noPrio.json().has("priority"), "priority 0 is left out");
        assertFalse(noPrio.json().has("tags"));
        assertFalse(noPrio.json().has("actions"));
        assertEquals(3, ntfy.messages("alerts").size());
    }

    @Test
    void jsonPublishToRoot() throws IOException {
        String body = """
                {"topic":"relay","message":"Approve deploy?","title":"Deploy","priority":4,"tags":["rocket"],
                 "click":"https://relay.lan/","unknown":"ignored",
                 "actions":[{"action":"http","label":"Yes","url":"https://relay.lan/yes","method":"post",
                             "headers":{"X-Token":"t"},"body":"approved","clear":true}]}""";
        Answer a = post("/", body, Map.of());
        assertEquals(200, a.status, a.body);
        JsonNode j = a.json();
        assertEquals("relay", j.get("topic").asText());
        assertEquals("Approve deploy?", j.get("message").asText());
        assertEquals("Deploy", j.get("title").asText());
        assertEquals(4, j.get("priority").asInt());
        assertEquals(List.of("rocket"), texts(j.get("tags")));
        assertEquals("https://relay.lan/", j.get("click").asText());
        Action yes = ntfy.messages("relay").get(0).action("Yes");
        assertEquals("POST", yes.method());
        assertEquals(Map.of("X-Token", "t"), yes.headers());
        assertEquals("approved", yes.body());
        assertTrue(yes.clear());
        assertEquals(10, yes.id().length());

        // PUT works too; a JSON body posted to /TOPIC is not parsed: it is the message text
        assertEquals(200, call("PUT", "/", "{\"topic\":\"relay\"}", Map.of()).status);
        assertEquals("triggered", ntfy.messages("relay").get(1).message());
        Answer literal = post("/relay", "{\"message\":\"hi\"}", Map.of());
        assertEquals("{\"message\":\"hi\"}", literal.json().get("message").asText());
    }

    @Test
    void validationErrorsAsNtfyAnswersThem() throws IOException {
        assertError(post("/alerts", "x", Map.of("Priority", "6")), 400, 40007, "invalid priority parameter");
        assertError(post("/alerts", "x", Map.of("Actions",
                "view, a, https://a; view, b, https://b; view, c, https://c; view, d, https://d")),
                400, 40018, "invalid request: actions invalid; only 3 actions allowed");
        assertError(post("/alerts", "x", Map.of("Actions", "http, Get, https://a, method=GET, body=x")),
                400, 40018, "parameter 'body' cannot be set if method is GET");
        assertError(post("/alerts", "x", Map.of("Actions", "http, Go")), 400, 40018,
                "parameter 'url' is required for action 'http'");
        assertError(post("/alerts", "x", Map.of("Actions", "jump, Go, url=https://a")), 400, 40018,
                "parameter 'action' cannot be 'jump'");
        assertError(post("/alerts", "x", Map.of("Actions", "jump, Go, https://a")), 400, 40018,
                "term 'https://a' unknown"); // the url is positional only for view and http
        assertError(post("/alerts", "x", Map.of("Actions", "http, Go, https://a, colour=red")), 400, 40018,
                "key 'colour' unknown");
        assertError(post("/alerts", "x", Map.of("Actions", "[{\"action\":")), 400, 40018, "JSON error");
        assertError(post("/", "{\"topic\":\"bad topic\"}", Map.of()), 400, 40009, "invalid request: topic invalid");
        assertError(post("/", "{\"topic\":\"t\",\"priority\":\"high\"}", Map.of()), 400, 40024, "valid JSON");
        assertError(post("/", "not json", Map.of()), 400, 40024, "valid JSON");
        assertError(post("/docs", "x", Map.of()), 400, 40010, "topic name is not allowed");
        // a topic path that breaks the topic rule does not route at all
        assertError(post("/bad.topic", "x", Map.of()), 404, 40401, "page not found");
        assertError(post("/" + "a".repeat(65), "x", Map.of()), 404, 40401, "page not found");
        assertEquals(200, post("/" + "a".repeat(64), "x", Map.of()).status);
        assertError(call("GET", "/alerts/json?poll=1&since=yesterday", null, Map.of()), 400, 40008, "since");
        assertTrue(ntfy.messages("alerts").isEmpty(), "nothing invalid was published");
    }

    // ---------------------------------------------------------------- access control

    @Test
    void tokenRequiredForPublishAndSubscribe() throws IOException {
        ntfy.requireToken("tk_secret");
        assertError(post("/alerts", "x", Map.of()), 403, 40301, "forbidden");
        assertError(post("/alerts", "x", Map.of("Authorization", "Bearer tk_wrong")), 401, 40101, "unauthorized");
        assertError(call("GET", "/alerts/json?poll=1", null, Map.of()), 403, 40301, "forbidden");
        assertError(call("GET", "/alerts/json?poll=1", null, Map.of("Authorization", "Bearer nope")), 401, 40101,
                "unauthorized");
        assertTrue(ntfy.messages("alerts").isEmpty());

        assertEquals(200, post("/alerts", "bearer", Map.of("Authorization", "Bearer tk_secret")).status);
        String basic = "Basic " + Base64.getEncoder().encodeToString(":tk_secret".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, post("/alerts", "basic", Map.of("Authorization", basic)).status,
                "Basic auth with an empty user passes the token as the password");
        String userPass = "Basic " + Base64.getEncoder().encodeToString("phil:tk_secret".getBytes(StandardCharsets.UTF_8));
        assertError(post("/alerts", "x", Map.of("Authorization", userPass)), 401, 40101, "unauthorized");
        assertEquals("as the fake", ntfy.publish("alerts", "as the fake").message(), "publish() sends the token");

        Answer poll = call("GET", "/alerts/json?poll=1", null, Map.of("Authorization", "Bearer tk_secret"));
        assertEquals(200, poll.status);
        assertEquals(3, poll.lines().size(), poll.body);

        ntfy.requireToken(null);
        assertEquals(200, post("/alerts", "open again", Map.of()).status);
    }

    // ---------------------------------------------------------------- subscribing

    @Test
    void subscribeGetsOpenKeepaliveAndLiveMessages() throws Exception {
        Stream s = subscribe("/alerts,other/json", Map.of());
        JsonNode open = s.next();
        assertEquals("open", open.get("event").asText());
        assertEquals("alerts,other", open.get("topic").asText());
        assertTrue(open.get("id").asText().matches("[A-Za-z0-9]{12}"));
        assertFalse(open.has("message"));
        Await.until("both topics count the subscriber", WAIT,
                () -> ntfy.subscribers("alerts") == 1 && ntfy.subscribers("other") == 1);
        assertEquals(0, ntfy.subscribers("third"));

        JsonNode keepalive = s.nextEvent("keepalive");
        assertEquals("alerts,other", keepalive.get("topic").asText());

        Message sent = ntfy.publish("other", "live one");
        JsonNode got = s.nextEvent("message");
        assertEquals(sent.id(), got.get("id").asText());
        assertEquals("other", got.get("topic").asText());
        assertEquals("live one", got.get("message").asText());
        assertEquals(sent, Message.fromJson(got.toString()));

        post("/unrelated", "not for this stream", Map.of());
        Message second = ntfy.publish("alerts", "second");
        assertEquals(second.id(), s.nextEvent("message").get("id").asText(), "unrelated topic not delivered");
    }

    @Test
    void sinceIdAndSinceTimestampReplayTheCache() throws Exception {
        Message a = ntfy.publish("alerts", "a");
        Message b = ntfy.publish("alerts", "b");
        Message c = ntfy.publish("alerts", "c");
        post("/alerts", "not cached", Map.of("X-Cache", "no"));

        assertEquals(List.of(b.id(), c.id()), ids(poll("/alerts/json?poll=1&since=" + a.id())));
        assertEquals(List.of(a.id(), b.id(), c.id()), ids(poll("/alerts/json?poll=1&since=" + a.time())),
                "since a timestamp includes messages of that second");
        assertEquals(List.of(), ids(poll("/alerts/json?poll=1&since=" + (c.time() + 5))));
        assertEquals(List.of(a.id(), b.id(), c.id()), ids(poll("/alerts/json?poll=1&since=10m")));
        assertEquals(List.of(a.id(), b.id(), c.id()), ids(poll("/alerts/json?poll=1&since=all")));
        assertEquals(List.of(c.id()), ids(poll("/alerts/json?poll=1&since=latest")));
        assertEquals(List.of(a.id(), b.id(), c.id()), ids(poll("/alerts/json?poll=1&since=AAAAAAAAAAAA")),
                "an unknown message id replays everything");
        assertEquals(4, ntfy.messages("alerts").size(), "the uncached message is recorded, just not replayed");

        // streaming: open first, then the cached messages after the id, then live ones
        Stream s = subscribe("/alerts/json?since=" + a.id(), Map.of());
        assertEquals("open", s.next().get("event").asText());
        assertEquals(b.id(), s.nextEvent("message").get("id").asText());
        assertEquals(c.id(), s.nextEvent("message").get("id").asText());
        Message d = ntfy.publish("alerts", "d");
        assertEquals(d.id(), s.nextEvent("message").get("id").asText());
    }

    @Test
    void pollAnswersTheCacheAndCloses() throws IOException {
        Message a = ntfy.publish("alerts", "a");
        Message b = ntfy.publish("alerts", "b");
        for (String path : List.of("/alerts/json?poll=1", "/alerts/json?poll=true", "/alerts/json?po=yes")) {
            Answer r = call("GET", path, null, Map.of()); // reading to the end returns: the response closed
            assertEquals(200, r.status);
            assertTrue(r.contentType.startsWith("application/x-ndjson"), r.contentType);
            List<JsonNode> lines = r.lines();
            assertEquals(List.of("message", "message"), lines.stream().map(l -> l.get("event").asText()).toList(),
                    "poll sends no open event: " + r.body);
            assertEquals(List.of(a.id(), b.id()), ids(lines));
        }
        Answer header = call("GET", "/alerts/json", null, Map.of("X-Poll", "1"));
        assertEquals(List.of(a.id(), b.id()), ids(header.lines()));
        assertEquals(List.of(), call("GET", "/empty/json?poll=1", null, Map.of()).lines());
        assertEquals(0, ntfy.subscribers("alerts"));
    }

    // ---------------------------------------------------------------- faults

    @Test
    void downAnswersTheStatusUntilUp() throws IOException {
        ntfy.down(503);
        Answer a = post("/alerts", "x", Map.of());
        assertEquals(503, a.status);
        assertEquals(503, call("GET", "/alerts/json?poll=1", null, Map.of()).status);
        assertThrows(IllegalStateException.class, () -> ntfy.publish("alerts", "y"));
        ntfy.down(429);
        assertError(post("/alerts", "x", Map.of()), 429, 42901, "limit reached: too many requests");
        ntfy.down(500);
        assertError(post("/alerts", "x", Map.of()), 500, 50001, "internal server error");
        assertTrue(ntfy.messages("alerts").isEmpty());
        assertEquals(4, ntfy.requests("POST", "/alerts").size(), "answered requests are recorded too");

        ntfy.up();
        assertEquals(200, post("/alerts", "back", Map.of()).status);
        assertEquals("back", ntfy.awaitMessage("alerts", m -> true, WAIT).message());
    }

    @Test
    void refuseAndAcceptConnectionsOnTheSamePort() throws Exception {
        Stream s = subscribe("/alerts/json", Map.of());
        assertEquals("open", s.next().get("event").asText());
        Await.until("subscribed", WAIT, () -> ntfy.subscribers("alerts") == 1);
        int port = ntfy.port();

        ntfy.refuseConnections();
        String end = s.awaitEnd();
        assertTrue(end.startsWith("ERR "), "the stream is cut, not ended: " + end);
        Await.until("stream gone", WAIT, () -> ntfy.subscribers("alerts") == 0);
        IOException refused = assertThrows(IOException.class, () -> post("/alerts", "x", Map.of()));
        assertTrue(refused instanceof ConnectException, refused.toString());

        ntfy.acceptConnections();
        assertEquals(port, ntfy.port());
        assertEquals(ntfy.url(), "http://127.0.0.1:" + port);
        assertEquals(200, post("/alerts", "after", Map.of()).status);
        Stream again = subscribe("/alerts/json?since=all", Map.of());
        assertEquals("open", again.next().get("event").asText());
        assertEquals("after", again.nextEvent("message").get("message").asText());
    }

    @Test
    void dropSubscribersEndsStreamsAndClientsCanReconnect() throws Exception {
        Stream s = subscribe("/alerts/json", Map.of());
        assertEquals("open", s.next().get("event").asText());
        Await.until("subscribed", WAIT, () -> ntfy.subscribers("alerts") == 1);
        ntfy.dropSubscribers();
        assertEquals("EOF", s.awaitEnd(), "the response ends cleanly");
        Await.until("stream gone", WAIT, () -> ntfy.subscribers("alerts") == 0);

        Stream again = subscribe("/alerts/json", Map.of());
        assertEquals("open", again.next().get("event").asText());
        Await.until("subscribed again", WAIT, () -> ntfy.subscribers("alerts") == 1);
    }

    // ---------------------------------------------------------------- the phone

    @Test
    void phonePerformsHttpActionsAsTheApp() throws Exception {
        String replyUrl = ntfy.url() + "/replies";
        post("/alerts", "Approve?", Map.of("Actions",
                "http, Yes, " + replyUrl + ", headers.X-Reply=1, headers.Title=Answer, body=yes please; "
                        + "http, Ping, " + replyUrl + "?m=pinged, method=PUT"));
        Message question = ntfy.awaitMessage("alerts", m -> m.message().equals("Approve?"), WAIT);
        FakeNtfy.Phone phone = ntfy.phone();

        assertEquals(200, phone.tap(question, "Yes"));
        Message reply = ntfy.awaitMessage("replies", m -> m.message().equals("yes please"), WAIT);
        assertEquals("Answer", reply.title());
        FakeNtfy.Request r = ntfy.requests("POST", "/replies").get(0);
        assertEquals("POST", r.method(), "http actions default to POST");
        assertEquals("1", r.header("X-Reply"));
        assertEquals("yes please", r.body());
        assertNull(r.header("Content-Type"));
        assertTrue(r.header("User-Agent").startsWith("ntfy/"));

        assertEquals(200, phone.perform(question.action("Ping")));
        FakeNtfy.Request put = ntfy.requests("PUT", "/replies").get(0);
        assertEquals("", put.body(), "no body given: an empty one");
        assertEquals("m=pinged", put.query());
        assertEquals("pinged", ntfy.awaitMessage("replies", m -> m.message().equals("pinged"), WAIT).message());

        ntfy.down(503);
        assertEquals(503, phone.perform(question.action("Yes")));
        ntfy.up();
        assertEquals(200, phone.perform(Action.http("Get", ntfy.url() + "/replies/publish?m=got", "GET",
                Map.of(), null, false)));
        assertEquals("got", ntfy.awaitMessage("replies", m -> m.message().equals("got"), WAIT).message());
    }

    // ---------------------------------------------------------------- recording and binding

    @Test
    void recordsRequestsAndAwaitsLaterMessages() throws Exception {
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(100);
                post("/alerts", "later", Map.of("Title", "T"));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        later.start();
        Message m = ntfy.awaitMessage("alerts", x -> x.message().equals("later"), WAIT);
        later.join();
        assertEquals("T", m.title());
        FakeNtfy.Request r = ntfy.requests().get(0);
        assertEquals("POST", r.method());
        assertEquals("/alerts", r.path());
        assertEquals("", r.query());
        assertEquals("T", r.header("title"), "header names are case-insensitive");
        assertEquals("later", r.body());
        AssertionError none = assertThrows(AssertionError.class,
                () -> ntfy.awaitMessage("alerts", x -> x.message().equals("never"), Duration.ofMillis(100)));
        assertTrue(none.getMessage().contains("alerts"));
    }

    @Test
    void bindsToAGivenAddressAndStopsPromptly() throws Exception {
        try (FakeNtfy other = new FakeNtfy(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0))) {
            assertNotEquals(0, other.port());
            assertEquals("http://127.0.0.1:" + other.port(), other.url());
            assertEquals("hello", other.publish("t", "hello").message());
            other.keepaliveInterval(Duration.ofMillis(100));
            Request req = new Request.Builder().url(other.url() + "/t/json").build();
            Call streaming = http.newCall(req);
            Response resp = streaming.execute();
            assertEquals(200, resp.code());
            Await.until("subscribed", WAIT, () -> other.subscribers("t") == 1);
            long start = System.nanoTime();
            other.close();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close is prompt");
            resp.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private record Answer(int status, String contentType, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        List<JsonNode> lines() throws IOException {
            List<JsonNode> out = new ArrayList<>();
            for (String l : body.split("\n")) {
                if (!l.isBlank()) {
                    out.add(JSON.readTree(l));
                }
            }
            return out;
        }
    }

    private Answer post(String path, String body, Map<String, String> headers) throws IOException {
        return call("POST", path, body, headers);
    }

    private Answer call(String method, String path, String body, Map<String, String> headers) throws IOException {
        Request.Builder b = new Request.Builder().url(ntfy.url() + path);
        headers.forEach(b::header);
        if (body != null || method.equals("POST") || method.equals("PUT")) {
            b.method(method, RequestBody.create(body == null ? "" : body, TEXT));
        } else {
            b.method(method, null);
        }
        try (Response r = http.newCall(b.build()).execute()) {
            String ct = r.header("Content-Type", "");
            return new Answer(r.code(), ct, r.body() == null ? "" : r.body().string());
        }
    }

    private List<JsonNode> poll(String path) throws IOException {
        Answer a = call("GET", path, null, Map.of());
        assertEquals(200, a.status, a.body);
        return a.lines();
    }

    private static List<String> ids(List<JsonNode> lines) {
        return lines.stream().map(l -> l.get("id").asText()).toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void assertError(Answer a, int status, int code, String errorPart) throws IOException {
        assertEquals(status, a.status, a.body);
        assertTrue(a.contentType.startsWith("application/json"), a.contentType);
        JsonNode j = a.json();
        assertEquals(code, j.get("code").asInt(), a.body);
        assertEquals(status, j.get("http").asInt(), a.body);
        assertTrue(j.get("error").asText().contains(errorPart), a.body);
    }

    private Stream subscribe(String path, Map<String, String> headers) throws IOException {
        Request.Builder b = new Request.Builder().url(ntfy.url() + path);
        headers.forEach(b::header);
        Call c = http.newCall(b.build());
        Response r = c.execute();
        assertEquals(200, r.code());
        Stream s = new Stream(c, r);
        streams.add(s);
        return s;
    }

    /** A /json stream read line by line on its own thread; "EOF" or "ERR ..." marks its end. */
    private static final class Stream {
        private final Call call;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Stream(Call call, Response response) {
            this.call = call;
            Thread t = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = in.readLine()) != null; ) {
                        lines.add(l);
                    }
                    lines.add("EOF");
                } catch (IOException e) {
                    lines.add("ERR " + e);
                }
            }, "stream-reader");
            t.setDaemon(true);
            t.start();
        }

        JsonNode next() throws Exception {
            String l = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (l == null) {
                throw new AssertionError("no line within " + WAIT);
            }
            if (l.equals("EOF") || l.startsWith("ERR ")) {
                throw new AssertionError("stream ended: " + l);
            }
            return JSON.readTree(l);
        }

        /** The next line of this event type, skipping others (keepalives arrive at any time). */
        JsonNode nextEvent(String event) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode n = next();
                if (n.get("event").asText().equals(event)) {
                    return n;
                }
            }
            throw new AssertionError("no " + event + " event within " + WAIT);
        }

        /** Waits for the end of the stream, skipping lines; returns "EOF" or "ERR ...". */
        String awaitEnd() throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null && (l.equals("EOF") || l.startsWith("ERR "))) {
                    return l;
                }
            }
            throw new AssertionError("stream did not end within " + WAIT);
        }

        /** Cancels the call; the reader thread closes the body (OkHttp bodies are not for two threads). */
        void close() {
            call.cancel();
        }
    }
}
