package dev.relay.notify;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ntfy over HTTP: {@code POST server/topic} with Title, Priority and Tags headers. Sends on its own thread with a
 * small bounded queue (a dead server never slows the loop; overflow is dropped and logged), and does not repeat an
 * identical notification within the dedup window.
 */
public final class NtfyNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(NtfyNotifier.class);
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

    private final OkHttpClient http;
    private final String url;
    private final Optional<String> token;
    private final Clock clock;
    private final Duration dedupWindow;
    private final Map<String, Instant> recent = new LinkedHashMap<>();
    private final ThreadPoolExecutor sender;

    public NtfyNotifier(String server, String topic, Optional<String> token, Clock clock, Duration dedupWindow) {
        this.url = server + "/" + topic;
        this.token = token;
        this.clock = clock;
        this.dedupWindow = dedupWindow;
        this.http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(15))
                .build();
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(32), r -> {
            Thread t = new Thread(r, "relay-ntfy");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void send(Notification n) {
        if (isRepeat(n)) {
            LOG.debug("notification not repeated within {}: {}", dedupWindow, n.title());
            return;
        }
        try {
            sender.execute(() -> post(n));
        } catch (RejectedExecutionException e) {
            LOG.warn("ntfy is not keeping up; dropped notification \"{}\"", n.title());
        }
    }

    private synchronized boolean isRepeat(Notification n) {
        Instant now = clock.instant();
        recent.values().removeIf(at -> at.plus(dedupWindow).isBefore(now));
        String key = n.title() + "\u0000" + n.message();
        if (recent.containsKey(key)) {
            return true;
        }
        recent.put(key, now);
        return false;
    }

    private void post(Notification n) {
        Request.Builder b = new Request.Builder()
                .url(url)
                .header("Title", ascii(n.title()))
                .header("Priority", Integer.toString(n.priority()))
                .post(RequestBody.create(n.message(), TEXT));
        if (!n.tags().isEmpty()) {
            b.header("Tags", ascii(String.join(",", n.tags())));
        }
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        try (Response r = http.newCall(b.build()).execute()) {
            if (!r.isSuccessful()) {
                LOG.warn("ntfy answered HTTP {} for \"{}\"", r.code(), n.title());
            }
        } catch (IOException e) {
            LOG.warn("ntfy unreachable ({}): \"{}\" not delivered", e.getMessage(), n.title());
        }
    }

    /** Header values must be ASCII for OkHttp; titles are ours, so replacing the rest loses nothing of meaning. */
    private static String ascii(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.shutdownNow();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
