package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input ends with a clear reason, nothing lost, the relay running, and nothing written outside the home. */
class BadInputTest {
    @TempDir
    Path outer;

    Path home;
    LoopHarness relay;

    @BeforeEach
    void start() throws IOException {
        home = Files.createDirectory(outer.resolve("home"));
        relay = new LoopHarness(home, Clock.systemUTC()).start();
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    static Stream<Arguments> badEnvelopes() {
        return Stream.of(
                Arguments.of("not JSON", "hello, coordinator".getBytes(StandardCharsets.UTF_8), "not valid JSON"),
                Arguments.of("a JSON array", "[1,2]".getBytes(StandardCharsets.UTF_8), "JSON array, not an object"),
                Arguments.of("empty file", new byte[0], "empty"),
                Arguments.of("no session_id", "{\"content\":\"x\"}".getBytes(StandardCharsets.UTF_8), "no session_id"),
                Arguments.of("no content", "{\"session_id\":\"s1\"}".getBytes(StandardCharsets.UTF_8), "no content"),
                Arguments.of("empty content", "{\"session_id\":\"s1\",\"content\":\"\"}".getBytes(StandardCharsets.UTF_8), "empty content"),
                Arguments.of("content not a string", "{\"session_id\":\"s1\",\"content\":42}".getBytes(StandardCharsets.UTF_8), "not a string"),
                Arguments.of("empty session_id", "{\"session_id\":\"\",\"content\":\"x\"}".getBytes(StandardCharsets.UTF_8), "session id is empty"),
                Arguments.of("session ../x", "{\"session_id\":\"../x\",\"content\":\"x\"}".getBytes(StandardCharsets.UTF_8), "invalid"),
                Arguments.of("session a/b", "{\"session_id\":\"a/b\",\"content\":\"x\"}".getBytes(StandardCharsets.UTF_8), "invalid"),
                Arguments.of("session .hidden", "{\"session_id\":\".hidden\",\"content\":\"x\"}".getBytes(StandardCharsets.UTF_8), "invalid"),
                Arguments.of("session of 65 characters",
                        ("{\"session_id\":\"" + "a".repeat(65) + "\",\"content\":\"x\"}").getBytes(StandardCharsets.UTF_8), "65 characters"),
                Arguments.of("2 MiB envelope", ("{\"session_id\":\"s1\",\"content\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}")
                        .getBytes(StandardCharsets.UTF_8), "over max_envelope_bytes"),
                Arguments.of("not UTF-8", new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}, "not UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEnvelopes")
    void rejects_bad_envelope_with_a_reason_and_keeps_running(String what, byte[] bytes, String reason) throws IOException {
        relay.raw("bad.json", bytes);
        Path rejected = relay.home.rejectedDir().resolve("bad.json");
        Await.until("rejected " + what, () -> Files.exists(rejected.resolveSibling("bad.json.reason")) && Files.exists(rejected));
        String why = Files.readString(rejected.resolveSibling("bad.json.reason")).strip();
        assertTrue(why.contains(reason), "reason for " + what + ": " + why);
        assertEquals(1, why.lines().count(), "the reason is one line");
        assertTrue(Files.exists(rejected), "the rejected envelope is kept, not deleted");
        assertEquals(bytes.length, Files.size(rejected));

        relay.send("s1", "still working after " + what);
        assertEquals("reply to: [session s1] still working after " + what, relay.take("s1"));
        assertEquals(Set.of("home"), list(outer), "nothing is written outside the home");
        assertTrue(relay.status() == null || relay.status().rejectedCount() <= 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEnvelopes")
    void a_second_rejection_of_the_same_name_keeps_both(String what, byte[] bytes, String reason) throws IOException {
        relay.raw("dup.json", bytes);
        Await.until("first rejected", () -> Files.exists(relay.home.rejectedDir().resolve("dup.json"))
                && !Files.exists(relay.home.queueDir().resolve("dup.json")));
        relay.raw("dup.json", bytes);
        Await.until("second rejected", () -> Files.exists(relay.home.rejectedDir().resolve("dup.json.1")));
        assertTrue(Files.exists(relay.home.rejectedDir().resolve("dup.json")));
        assertTrue(Files.exists(relay.home.rejectedDir().resolve("dup.json.1")));
    }

    @org.junit.jupiter.api.Test
    void a_directory_inside_the_queue_is_moved_aside_with_a_reason() throws IOException {
        // made aside and renamed in whole: the relay moves a directory away as soon as it sees it, so one made in
        // place could be gone before its file is written
        Path aside = Files.createDirectory(relay.home.root().resolve("sub.json"));
        Files.writeString(aside.resolve("inner.txt"), "keep me");
        Files.move(aside, relay.home.queueDir().resolve("sub.json"));
        // the reason is written first, then the directory moved beside it
        Await.until("directory rejected", () -> Files.exists(relay.home.rejectedDir().resolve("sub.json.reason"))
                && Files.exists(relay.home.rejectedDir().resolve("sub.json")));
        assertTrue(Files.readString(relay.home.rejectedDir().resolve("sub.json.reason")).contains("directory"));
        assertEquals("keep me", Files.readString(relay.home.rejectedDir().resolve("sub.json").resolve("inner.txt")));
        relay.send("s1", "after a directory");
        assertEquals("reply to: [session s1] after a directory", relay.take("s1"));
    }

    @org.junit.jupiter.api.Test
    void dotfiles_and_tmp_files_are_a_writers_business_and_left_alone() throws IOException {
        Files.writeString(relay.home.queueDir().resolve(".partial.json"), "{");
        Files.writeString(relay.home.queueDir().resolve("half.json.tmp"), "{");
        relay.send("s1", "real one");
        relay.take("s1");
        assertTrue(Files.exists(relay.home.queueDir().resolve(".partial.json")));
        assertTrue(Files.exists(relay.home.queueDir().resolve("half.json.tmp")));
        assertEquals(0, relay.home.rejectedDir().toFile().exists() ? list(relay.home.rejectedDir()).size() : 0);
    }

    private static Set<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
