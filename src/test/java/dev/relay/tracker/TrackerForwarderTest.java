package dev.relay.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tracker forwarding over real HTTP against a fake tracker (MockWebServer). */
class TrackerForwarderTest {
    @TempDir
    Path root;
    Path agents;

    MockWebServer tracker;
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
    final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void up() throws Exception {
        agents = new Home(root).agentsDir();
        tracker = new MockWebServer();
        tracker.start();
    }

    @AfterEach
    void down() throws Exception {
        tracker.shutdown();
    }

    TrackerForwarder forwarder(Optional<String> url) {
        return new TrackerForwarder(new Home(root), List.of(SessionId.of("a1"), SessionId.of("a2")), url,
                Optional.of("trk-token-123"), http, clock);
    }

    TrackerForwarder forwarder() {
        return forwarder(Optional.of(tracker.url("/").toString()));
    }

    Path write(String agent, String kind, String name, String json) throws Exception {
        Path dir = Files.createDirectories(agents.resolve(agent).resolve("ipc").resolve(kind));
        return Files.writeString(dir.resolve(name), json);
    }

    RecordedRequest next() throws Exception {
        RecordedRequest r = tracker.takeRequest(5, TimeUnit.SECONDS);
        assertTrue(r != null, "a request reached the tracker");
        return r;
    }

    @Test
    void each_kind_of_file_becomes_the_documented_request_with_the_bearer_token() throws Exception {
        for (int i = 0; i < 5; i++) {
            tracker.enqueue(new MockResponse().setResponseCode(200).setBody("{}"));
        }
        write("a1", "messages", "1.json", "{\"type\":\"chat_message\",\"chat_id\":\"c 9\",\"content\":\"hi\",\"sender_name\":\"Ann\"}");
        write("a1", "tasks", "1.json", "{\"type\":\"task_status\",\"task_id\":\"t1\",\"status\":\"blocked\"}");
        write("a1", "tasks", "2.json", "{\"type\":\"task_take\",\"task_id\":\"t2\"}");
        write("a1", "tasks", "3.json", "{\"type\":\"task_complete\",\"task_id\":\"t3\"}");
        write("a1", "tasks", "4.json", "{\"type\":\"task_comment\",\"task_id\":\"t4\",\"content\":\"done, see PR\",\"author\":\"someone-else\"}");

        TrackerForwarder.Pass pass = forwarder().forwardOnce();
        assertEquals(new TrackerForwarder.Pass(5, 0, 0), pass);
        ObjectMapper json = new ObjectMapper();

        RecordedRequest chat = next();
        assertEquals("POST", chat.getMethod());
        assertEquals("/api/v1/chats/c%209/messages", chat.getPath());
        assertEquals("Bearer trk-token-123", chat.getHeader("Authorization"));
        assertEquals(json.readTree("{\"sender_type\":\"agent\",\"sender_name\":\"Ann\",\"content\":\"hi\"}"),
                json.readTree(chat.getBody().readUtf8()));

        RecordedRequest status = next();
        assertEquals("PATCH /api/v1/tasks/t1", status.getMethod() + " " + status.getPath());
        assertEquals(json.readTree("{\"status\":\"blocked\"}"), json.readTree(status.getBody().readUtf8()));

        RecordedRequest take = next();
        assertEquals("PATCH /api/v1/tasks/t2", take.getMethod() + " " + take.getPath());
        assertEquals(json.readTree("{\"status\":\"in_progress\",\"assigned_to\":\"a1\"}"), json.readTree(take.getBody().readUtf8()));

        RecordedRequest complete = next();
        assertEquals("PATCH /api/v1/tasks/t3", complete.getMethod() + " " + complete.getPath());
        assertEquals(json.readTree("{\"status\":\"done\"}"), json.readTree(complete.getBody().readUtf8()));

        RecordedRequest comment = next();
        assertEquals("POST /api/v1/tasks/t4/comments", comment.getMethod() + " " + comment.getPath());
        assertEquals(json.readTree("{\"content\":\"done, see PR\",\"author\":\"a1\"}"), json.readTree(comment.getBody().readUtf8()),
                "the author is the agent whose directory the file is in, whatever the file says");

        try (var s = Files.walk(agents)) {
            assertEquals(0, s.filter(p -> p.toString().endsWith(".json")).count(), "forwarded files are gone");
        }
    }

    @Test
    void a_503_is_retried_with_backoff_and_the_file_kept_until_it_goes_through() throws Exception {
        Path f = write("a2", "tasks", "1.json", "{\"type\":\"task_complete\",\"task_id\":\"t9\"}");
        tracker.enqueue(new MockResponse().setResponseCode(503));
        TrackerForwarder fw = forwarder();
        assertEquals(new TrackerForwarder.Pass(0, 0, 1), fw.forwardOnce());
        assertTrue(Files.exists(f));
        assertEquals(new TrackerForwarder.Pass(0, 0, 1), fw.forwardOnce(), "not before its backoff");
        assertEquals(1, tracker.getRequestCount());

        clock.advance(Duration.ofMinutes(1));
        tracker.enqueue(new MockResponse().setResponseCode(204));
        assertEquals(new TrackerForwarder.Pass(1, 0, 0), fw.forwardOnce());
        assertFalse(Files.exists(f));
        assertEquals(2, tracker.getRequestCount());
    }

    @Test
    void a_400_and_bad_files_go_to_errors_with_a_reason() throws Exception {
        tracker.enqueue(new MockResponse().setResponseCode(400).setBody("{\"error\":\"no such task\"}"));
        write("a1", "tasks", "1.json", "{\"type\":\"task_status\",\"task_id\":\"nope\",\"status\":\"done\"}");
        write("a1", "tasks", "2.json", "{not json");
        write("a1", "messages", "3.json", "{\"type\":\"shout\",\"content\":\"x\"}");
        write("a1", "messages", "4.json", "{\"type\":\"chat_message\",\"content\":\"no chat id\"}");

        assertEquals(new TrackerForwarder.Pass(0, 4, 0), forwarder().forwardOnce());
        Path errors = agents.resolve("a1/ipc/errors");
        assertTrue(Files.readString(errors.resolve("1.json.reason")).contains("HTTP 400"));
        assertTrue(Files.readString(errors.resolve("1.json.reason")).contains("no such task"));
        assertTrue(Files.readString(errors.resolve("2.json.reason")).contains("is not valid JSON"));
        assertTrue(Files.readString(errors.resolve("3.json.reason")).contains("unknown type \"shout\""));
        assertTrue(Files.readString(errors.resolve("4.json.reason")).contains("has no chat_id"));
        assertTrue(Files.exists(errors.resolve("2.json")), "the file itself is kept beside its reason");
        assertEquals(1, tracker.getRequestCount(), "bad files never reach the tracker");
    }

    @Test
    void without_a_tracker_url_files_are_kept() throws Exception {
        Path f = write("a1", "messages", "1.json", "{\"type\":\"chat_message\",\"chat_id\":\"c\",\"content\":\"hi\"}");
        assertEquals(new TrackerForwarder.Pass(0, 0, 1), forwarder(Optional.empty()).forwardOnce());
        assertTrue(Files.exists(f));
    }

    @Test
    void only_configured_agents_directories_are_read() throws Exception {
        Path stranger = write("intruder", "tasks", "1.json", "{\"type\":\"task_complete\",\"task_id\":\"t\"}");
        assertEquals(new TrackerForwarder.Pass(0, 0, 0), forwarder().forwardOnce());
        assertTrue(Files.exists(stranger));
        assertEquals(0, tracker.getRequestCount());
    }
}
