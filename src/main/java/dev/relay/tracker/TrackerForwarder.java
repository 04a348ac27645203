package dev.relay.tracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the files agents write in {@code agents/SLUG/ipc/messages/} and {@code ipc/tasks/} to the tracker (CONTRACT
 * section 6). A file is deleted only once the tracker took it; one that can never be forwarded (not JSON, an unknown
 * type, a 4xx answer) goes to {@code ipc/errors/} with NAME.reason; a transient failure is retried with backoff.
 * The sender is the directory the file is in, never what the file says.
 */
public final class TrackerForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(TrackerForwarder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final Home home;
    private final List<SessionId> agents;
    private final Optional<HttpUrl> tracker;
    private final Optional<String> token;
    private final OkHttpClient http;
    private final Clock clock;
    private final Map<Path, Retry> retries = new HashMap<>();
    private boolean saidNoTracker;

    private record Retry(int attempts, Instant next) {}

    /** What one pass did: forwarded, failed for good (moved to errors/), waiting (retry later or no tracker). */
    public record Pass(int forwarded, int failed, int waiting) {}

    public TrackerForwarder(Home home, List<SessionId> agents, Optional<String> trackerUrl, Optional<String> token,
                            OkHttpClient http, Clock clock) {
        this.home = home;
        this.agents = List.copyOf(agents);
        this.tracker = trackerUrl.map(u -> {
            HttpUrl url = HttpUrl.parse(u);
            if (url == null) {
                throw new IllegalArgumentException("tracker.url is not an http(s) URL: " + u);
            }
            return url;
        });
        this.token = token;
        this.http = http;
        this.clock = clock;
    }

    /** Looks at every agent's files once; call it every second or so from one thread. */
    public synchronized Pass forwardOnce() {
        int forwarded = 0;
        int failed = 0;
        int waiting = 0;
        for (SessionId agent : agents) {
            for (Path dir : List.of(home.agentMessagesDir(agent), home.agentTasksDir(agent))) {
                for (Path file : files(dir)) {
                    switch (forward(agent, file, home.agentErrorsDir(agent))) {
                        case DONE -> forwarded++;
                        case FAILED -> failed++;
                        case LATER -> waiting++;
                    }
                }
            }
        }
        return new Pass(forwarded, failed, waiting);
    }

    private enum Outcome { DONE, FAILED, LATER }

    /** What one agent's directory holds for the tracker: files not forwarded yet, and files refused (in ipc/errors/). */
    public record Backlog(int waiting, int refused) {}

    /** Counts, for `relay agents`, without forwarding anything. */
    public static Backlog backlog(Home home, SessionId agent) {
        int waiting = files(home.agentMessagesDir(agent)).size() + files(home.agentTasksDir(agent)).size();
        int refused = 0;
        Path errors = home.agentErrorsDir(agent);
        if (Files.isDirectory(errors, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(errors, "*.reason")) {
                for (Path ignored : s) {
                    refused++;
                }
            } catch (IOException e) {
                LOG.debug("cannot list {}: {}", errors, e.getMessage());
            }
        }
        return new Backlog(waiting, refused);
    }

    private static List<Path> files(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", dir, e.getMessage());
        }
        out.sort(null);
        return out;
    }

    private Outcome forward(SessionId agent, Path file, Path errors) {
        Retry retry = retries.get(file);
        if (retry != null && clock.instant().isBefore(retry.next())) {
            return Outcome.LATER;
        }
        JsonNode n;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return fail(file, errors, "is larger than " + MAX_FILE_BYTES + " bytes");
            }
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            return fail(file, errors, "is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        Request request;
        try {
            request = request(agent, n);
        } catch (IllegalArgumentException e) {
            return fail(file, errors, e.getMessage());
        }
        if (tracker.isEmpty()) {
            if (!saidNoTracker) {
                saidNoTracker = true;
                LOG.warn("agents wrote tracker files but tracker.url is not set: they are kept in agents/*/ipc/ until it is");
            }
            return Outcome.LATER;
        }
        try (Response r = http.newCall(request).execute()) {
            if (r.isSuccessful()) {
                AtomicFiles.delete(file);
                retries.remove(file);
                LOG.info("tracker: {} from {} forwarded ({} {})", file.getFileName(), agent, request.method(), request.url().encodedPath());
                return Outcome.DONE;
            }
            int code = r.code();
            if (code == 408 || code == 429 || code >= 500) {
                return later(file, "HTTP " + code);
            }
            String body = r.body() == null ? "" : r.body().string();
            return fail(file, errors, "the tracker refused it: HTTP " + code + (body.isBlank() ? "" : " " + oneLine(body)));
        } catch (IOException e) {
            return later(file, e.getMessage());
        }
    }

    private Request request(SessionId agent, JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("is not a JSON object");
        }
        String type = text(n, "type");
        HttpUrl base = tracker.orElse(HttpUrl.get("http://tracker.invalid/"));
        ObjectNode body = JSON.createObjectNode();
        HttpUrl.Builder url = base.newBuilder().addPathSegments("api/v1");
        String method;
        switch (type) {
            case "chat_message" -> {
                url.addPathSegment("chats").addPathSegment(text(n, "chat_id")).addPathSegment("messages");
                body.put("sender_type", "agent");
                body.put("sender_name", n.path("sender_name").isTextual() && !n.path("sender_name").asText().isBlank()
                        ? n.get("sender_name").asText() : agent.value());
                body.put("content", text(n, "content"));
                method = "POST";
            }
            case "task_status" -> {
                url.addPathSegment("tasks").addPathSegment(text(n, "task_id"));
                body.put("status", text(n, "status"));
                method = "PATCH";
            }
            case "task_take" -> {
                url.addPathSegment("tasks").addPathSegment(text(n, "task_id"));
                body.put("status", "in_progress");
                body.put("assigned_to", agent.value());
                method = "PATCH";
            }
            case "task_complete" -> {
                url.addPathSegment("tasks").addPathSegment(text(n, "task_id"));
                body.put("status", "done");
                method = "PATCH";
            }
            case "task_comment" -> {
                url.addPathSegment("tasks").addPathSegment(text(n, "task_id")).addPathSegment("comments");
                body.put("content", text(n, "content"));
                body.put("author", agent.value());
                method = "POST";
            }
            default -> throw new IllegalArgumentException("has an unknown type \"" + type + "\" (chat_message, task_status, "
                    + "task_take, task_complete or task_comment)");
        }
        Request.Builder b = new Request.Builder().url(url.build())
                .method(method, RequestBody.create(body.toString(), JSON_TYPE));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b.build();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("has no " + field + " (a non-empty string)");
        }
        return v.asText();
    }

    private Outcome later(Path file, String why) {
        Retry before = retries.get(file);
        int attempts = before == null ? 1 : before.attempts() + 1;
        long capMs = Math.min(300_000L, 1000L << Math.min(18, attempts));
        long waitMs = ThreadLocalRandom.current().nextLong(capMs / 2, capMs + 1);
        retries.put(file, new Retry(attempts, clock.instant().plus(Duration.ofMillis(waitMs))));
        LOG.warn("tracker: {} not forwarded yet ({}); attempt {} again in {} s", file.getFileName(), why, attempts + 1,
                waitMs / 1000);
        return Outcome.LATER;
    }

    private Outcome fail(Path file, Path errors, String reason) {
        try {
            Files.createDirectories(errors);
            Path target = errors.resolve(file.getFileName());
            int n = 1;
            while (Files.exists(target)) {
                target = errors.resolve(file.getFileName() + "." + n++);
            }
            AtomicFiles.write(target.resolveSibling(target.getFileName() + ".reason"), reason + "\n");
            AtomicFiles.move(file, target);
            retries.remove(file);
            LOG.warn("tracker: {} {}; moved to {}", file.getFileName(), reason, target);
        } catch (IOException | RuntimeException e) {
            LOG.error("tracker: cannot move {} to {}: {}", file, errors, e.getMessage());
        }
        return Outcome.FAILED;
    }

    private static String oneLine(String s) {
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
    }
}
