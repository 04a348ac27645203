package dev.relay.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.Test;

class NtfyNotifierTest {
    @Test
    void posts_to_the_topic_with_title_priority_tags_and_token() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse().setResponseCode(200));
            String url = server.url("").toString();
            try (NtfyNotifier n = new NtfyNotifier(url.substring(0, url.length() - 1), "topic-x", Optional.of("tk_secret"),
                    Clock.systemUTC(), Duration.ofMinutes(10))) {
                n.send(new Notification("Relay needs JC", "Should we ship?", Notification.URGENT, List.of("rotating_light")));
                RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
                assertEquals("POST", r.getMethod());
                assertEquals("/topic-x", r.getPath());
                assertEquals("Relay needs JC", r.getHeader("Title"));
                assertEquals("5", r.getHeader("Priority"));
                assertEquals("rotating_light", r.getHeader("Tags"));
                assertEquals("Bearer tk_secret", r.getHeader("Authorization"));
                assertEquals("Should we ship?", r.getBody().readUtf8());
            }
        }
    }

    @Test
    void an_identical_alert_is_not_repeated_within_the_window() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            for (int i = 0; i < 3; i++) {
                server.enqueue(new MockResponse().setResponseCode(200));
            }
            String url = server.url("").toString();
            try (NtfyNotifier n = new NtfyNotifier(url.substring(0, url.length() - 1), "t", Optional.empty(),
                    Clock.systemUTC(), Duration.ofMinutes(10))) {
                Notification a = new Notification("Relay queue stuck", "3 waiting", 4, List.of());
                n.send(a);
                n.send(a);
                n.send(new Notification("Relay queue stuck", "4 waiting", 4, List.of()));
                assertEquals("3 waiting", server.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8());
                assertEquals("4 waiting", server.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8());
                assertNull(server.takeRequest(300, TimeUnit.MILLISECONDS), "the repeat was not sent");
            }
        }
    }

    @Test
    void a_dead_or_stalled_server_never_blocks_the_sender() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            for (int i = 0; i < 40; i++) {
                server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
            }
            String url = server.url("").toString();
            try (NtfyNotifier n = new NtfyNotifier(url.substring(0, url.length() - 1), "t", Optional.empty(),
                    Clock.systemUTC(), Duration.ofMinutes(10))) {
                long start = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    n.send(new Notification("alert " + i, "m", 3, List.of()));
                }
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                // one stalled request takes 15 s to time out; 100 sends returning at all shows none of them waited
                assertTrue(elapsedMs < 15_000, "send() waited for the server: " + elapsedMs + " ms");
            }
        }
    }
}
