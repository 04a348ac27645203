package dev.relay.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * ntfy's HTTP API as Relay uses it: publishing as JSON ({@code POST /} with the topic, title, message, priority, tags
 * and {@code http} actions) and reading a topic's JSON stream ({@code GET /TOPIC/json}, one JSON object per line:
 * {@code open}, {@code keepalive} and {@code message} events). Token auth by {@code Authorization: Bearer}.
 */
public final class NtfyClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
    /** ntfy sends a keepalive every 45 s by default: a stream silent for much longer than that is dead. */
    static final Duration STREAM_SILENCE = Duration.ofSeconds(120);

    private final String server;
    private final Optional<String> token;
    private final OkHttpClient http;
    private final OkHttpClient streaming;

    public NtfyClient(String server, Optional<String> token) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.token = token;
        this.http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(15))
                .build();
        this.streaming = http.newBuilder().callTimeout(Duration.ZERO).readTimeout(STREAM_SILENCE).build();
    }

    public String server() {
        return server;
    }

    /** The URL of a topic, for a button that publishes to it. */
    public String topicUrl(String topic) {
        return server + "/" + topic;
    }

    /** An {@code http} action button: the phone sends {@code body} to {@code url} by POST with {@code headers}. */
    public record HttpAction(String label, String url, Map<String, String> headers, String body, boolean clear) {
        public HttpAction {
            headers = Map.copyOf(headers);
        }
    }

    /** One notification to publish. */
    public record Message(String topic, String title, String message, int priority, List<String> tags,
                          List<HttpAction> actions) {
        public Message {
            tags = List.copyOf(tags);
            actions = List.copyOf(actions);
            if (actions.size() > 3) {
                throw new IllegalArgumentException("ntfy takes at most 3 actions, not " + actions.size());
            }
        }
    }

    /** What a publish came to: taken, or not (with the HTTP status, 0 when the server was not reached). */
    public record Published(boolean ok, int status, String detail, Optional<Duration> retryAfter) {}

    public Published publish(Message m) {
        ObjectNode body = JSON.createObjectNode();
        body.put("topic", m.topic());
        body.put("title", m.title());
        body.put("message", m.message());
        body.put("priority", m.priority());
        ArrayNode tags = body.putArray("tags");
        m.tags().forEach(tags::add);
        if (!m.actions().isEmpty()) {
            ArrayNode actions = body.putArray("actions");
            for (HttpAction a : m.actions()) {
                ObjectNode n = actions.addObject();
                n.put("action", "http");
                n.put("label", a.label());
                n.put("url", a.url());
                n.put("method", "POST");
                if (!a.headers().isEmpty()) {
                    ObjectNode h = n.putObject("headers");
                    a.headers().forEach(h::put);
                }
                n.put("body", a.body());
                n.put("clear", a.clear());
            }
        }
        Request.Builder b = new Request.Builder().url(server + "/").post(RequestBody.create(body.toString(), JSON_TYPE));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        try (Response r = http.newCall(b.build()).execute()) {
            if (r.isSuccessful()) {
                return new Published(true, r.code(), "", Optional.empty());
            }
            return new Published(false, r.code(), "HTTP " + r.code() + errorOf(r.body()), retryAfter(r));
        } catch (IOException e) {
            return new Published(false, 0, describe(e), Optional.empty());
        }
    }

    /** An I/O failure in words: "cannot resolve ntfy.sh", not the bare host name the JDK gives. */
    static String describe(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof java.net.UnknownHostException) {
            return "cannot resolve " + m.replaceFirst(":.*", "");
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "timed out (" + m + ")";
        }
        return m;
    }

    private static String errorOf(ResponseBody body) throws IOException {
        if (body == null) {
            return "";
        }
        String text = body.string();
        try {
            String error = JSON.readTree(text).path("error").asText("");
            return error.isEmpty() ? "" : " (" + error + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<Duration> retryAfter(Response r) {
        String h = r.header("Retry-After");
        if (h == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(h.strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** An event of a topic's stream. */
    public record Event(String id, long time, String event, String topic, String message) {
        public boolean isMessage() {
            return "message".equals(event);
        }
    }

    /** A stream that is being read; closing it ends the read. */
    public interface Stream extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Reads {@code topic}'s stream from after {@code since} (a message id or a unix time; none: from now), giving each
     * event to {@code events}, until the stream ends (returns) or fails ({@link IOException}). {@code opened} receives
     * the call so that another thread can end it.
     */
    public void read(String topic, Optional<String> since, Consumer<Stream> opened, Consumer<Event> events)
            throws IOException {
        HttpUrl.Builder url = HttpUrl.get(server + "/" + topic + "/json").newBuilder();
        since.ifPresent(s -> url.addQueryParameter("since", s));
        Request.Builder b = new Request.Builder().url(url.build()).get();
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        Call call = streaming.newCall(b.build());
        opened.accept(call::cancel);
        try (Response r = call.execute()) {
            if (!r.isSuccessful()) {
                throw new IOException("HTTP " + r.code() + errorOf(r.body()) + " from " + server + "/" + topic + "/json");
            }
            ResponseBody body = r.body();
            if (body == null) {
                return;
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body.byteStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n;
                    try {
                        n = JSON.readTree(line);
                    } catch (IOException e) {
                        continue;   // not ntfy's: skipped, the stream goes on
                    }
                    events.accept(new Event(n.path("id").asText(""), n.path("time").asLong(0), n.path("event").asText(""),
                            n.path("topic").asText(""), n.path("message").asText("")));
                }
            }
        }
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
