package dev.relay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.monitor.QueueItems;
import dev.relay.queue.EnvelopeWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import dev.relay.testing.RelayCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** relay queue, cancel and edit on a home with no relay running (CONTRACT section 7, "Queued messages"). */
class QueueCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    RelayCli.Result relay(String... args) {
        return RelayCli.run(dir, args);
    }

    Home home() {
        return new Home(dir);
    }

    JsonNode listing() throws Exception {
        RelayCli.Result r = relay("queue", "--json");
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    JsonNode byKind(JsonNode items, String kind, String session) {
        return StreamSupport.stream(items.spliterator(), false)
                .filter(i -> i.get("kind").asText().equals(kind) && i.get("session").asText("null").equals(session))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " for " + session + " in " + items));
    }

    Path envelope(String session, String text) {
        return EnvelopeWriter.write(home().queueDir(), SessionId.of(session), text, Optional.empty());
    }

    void recordUserTurn(String key) {
        AtomicFiles.ensurePrivateDirectory(home().stateDir());
        try (ConversationStore store = ConversationStore.open(home().conversationFile()).store()) {
            store.append(Turn.user("s1", "whatever", key, Instant.now()));
        }
    }

    @Test
    void queue_lists_all_three_kinds_with_ids_and_the_taken_flag() throws Exception {
        envelope("s1", "build is green");
        EnvelopeWriter.write(home().queueDir(), SessionId.of("s1"), "answered now", Optional.of("k1"));
        recordUserTurn("id:s1:k1");
        Outbox outbox = new Outbox(home().outboxRoot(), Clock.systemUTC());
        outbox.enqueue(SessionId.of("s2"), "some-turn", "reply for s2");
        AtomicFiles.write(home().operatorDir().resolve("0000000000123-abc.txt"), "@s3: hello s3");
        AtomicFiles.write(home().jcInputFile(), "think about it");

        JsonNode items = listing();
        assertEquals(5, items.size(), items.toString());
        JsonNode waiting = StreamSupport.stream(items.spliterator(), false)
                .filter(i -> i.get("preview").asText().equals("build is green")).findFirst().orElseThrow();
        assertEquals("envelope", waiting.get("kind").asText());
        assertEquals("s1", waiting.get("session").asText());
        assertFalse(waiting.get("taken").asBoolean());
        assertTrue(waiting.get("id").asText().matches("e[0-9a-f]{7}"), waiting.toString());
        assertTrue(waiting.get("queued_at").asText().endsWith("Z"));
        assertTrue(waiting.get("size").asLong() > 0);
        JsonNode taken = StreamSupport.stream(items.spliterator(), false)
                .filter(i -> i.get("preview").asText().equals("answered now")).findFirst().orElseThrow();
        assertTrue(taken.get("taken").asBoolean());
        assertEquals("a coordinator turn is answering it", taken.get("taken_by").asText());
        JsonNode reply = byKind(items, "reply", "s2");
        assertEquals("reply for s2", reply.get("preview").asText());
        assertTrue(reply.get("id").asText().startsWith("r"));
        assertEquals("s3", byKind(items, "operator", "s3").get("session").asText());
        JsonNode forCoordinator = byKind(items, "operator", "null");
        assertTrue(forCoordinator.get("session").isNull());
        assertEquals("think about it", forCoordinator.get("preview").asText());

        assertEquals(items, listing(), "ids are the same in every listing");
        RelayCli.Result human = relay("queue");
        assertTrue(human.out().contains(waiting.get("id").asText() + " "), human.out());
        assertTrue(human.out().contains("taken"), human.out());
    }

    @Test
    void cancel_moves_an_envelope_aside_with_a_reason() throws Exception {
        Path env = envelope("s1", "drop me");
        String id = listing().get(0).get("id").asText();

        RelayCli.Result r = relay("cancel", id.substring(0, 5));
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(env));
        Path kept = home().queueDir().resolve(".cancelled").resolve(env.getFileName());
        assertTrue(Files.readString(kept).contains("drop me"));
        String reason = Files.readString(kept.resolveSibling(env.getFileName() + ".reason"));
        assertTrue(reason.startsWith("cancelled by cli at "), reason);
        assertEquals(0, listing().size());

        RelayCli.Result again = relay("cancel", id);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("no waiting message has id " + id), again.err());
    }

    @Test
    void cancel_of_an_outbox_reply_and_of_an_operator_message_goes_to_state_cancelled() throws Exception {
        new Outbox(home().outboxRoot(), Clock.systemUTC()).enqueue(SessionId.of("s2"), "t", "reply for s2");
        AtomicFiles.write(home().operatorDir().resolve("0000000000123-abc.txt"), "for the coordinator");
        for (JsonNode i : listing()) {
            assertEquals(0, relay("cancel", i.get("id").asText()).code());
        }
        assertEquals(0, listing().size());
        try (var s = Files.list(home().stateDir().resolve("cancelled"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(4, names.size(), names.toString());
            assertTrue(names.contains("operator-0000000000123-abc.txt"), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("outbox-s2-") && n.endsWith(".txt.reason")), names.toString());
        }
    }

    @Test
    void a_taken_envelope_is_refused_and_names_what_answers_it() throws Exception {
        Path env = EnvelopeWriter.write(home().queueDir(), SessionId.of("s1"), "in a turn", Optional.of("k9"));
        recordUserTurn("id:s1:k9");
        String id = listing().get(0).get("id").asText();

        RelayCli.Result cancel = relay("cancel", id);
        assertEquals(1, cancel.code());
        assertTrue(cancel.err().contains("already taken (a coordinator turn is answering it)"), cancel.err());
        RelayCli.Result edit = relay("edit", id, "--text", "other");
        assertEquals(1, edit.code());
        assertTrue(Files.readString(env).contains("in a turn"));
    }

    @Test
    void a_claimed_reply_is_listed_as_taken_and_cannot_be_cancelled() throws Exception {
        AtomicFiles.ensurePrivateDirectory(home().outboxDir(SessionId.of("a1")));
        AtomicFiles.write(home().agentClaimsDir(SessionId.of("a1")).resolve("start-0000000000001-000000-abc.txt"), "go");
        JsonNode i = listing().get(0);
        assertTrue(i.get("taken").asBoolean());
        assertEquals("claimed by container agent a1", i.get("taken_by").asText());
        assertEquals(1, relay("cancel", i.get("id").asText()).code());
    }

    @Test
    void edit_replaces_the_text_keeps_name_fields_and_order_and_records_the_original() throws Exception {
        Path first = EnvelopeWriter.write(home().queueDir(), SessionId.of("s1"), "old text", Optional.of("k1"));
        Files.setLastModifiedTime(first, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        envelope("s2", "second");
        String id = listing().get(0).get("id").asText();

        RelayCli.Result r = relay("edit", id, "--text", "new text");
        assertEquals(0, r.code(), r.err());
        JsonNode env = JSON.readTree(Files.readString(first));
        assertEquals("new text", env.get("content").asText());
        assertEquals("s1", env.get("session_id").asText());
        assertEquals("k1", env.get("id").asText());
        assertEquals(1_000_000, Files.getLastModifiedTime(first).toMillis());
        JsonNode items = listing();
        assertEquals(id, items.get(0).get("id").asText(), "same id, same place");
        assertEquals("new text", items.get(0).get("preview").asText());
        assertTrue(Files.readString(home().queueDir().resolve(".edited").resolve(first.getFileName())).contains("old text"));
        List<String> edits = Files.readAllLines(home().stateDir().resolve("edits.jsonl"));
        assertEquals(1, edits.size());
        JsonNode e = JSON.readTree(edits.get(0));
        assertEquals(id, e.get("id").asText());
        assertEquals("envelope", e.get("kind").asText());
        assertEquals("old text", e.get("original").asText());
        assertEquals("new text", e.get("new").asText());
        assertEquals("cli", e.get("by").asText());
        assertTrue(e.get("at").asText().endsWith("Z"));
    }

    @Test
    void edit_of_a_reply_reads_the_text_from_a_file() throws Exception {
        Outbox outbox = new Outbox(home().outboxRoot(), Clock.systemUTC());
        outbox.enqueue(SessionId.of("s2"), "t", "reply for s2");
        Path entry = outbox.pending(SessionId.of("s2")).get(0).file();
        Path text = Files.writeString(dir.resolve("new.md"), "better reply");
        String id = listing().get(0).get("id").asText();

        assertEquals(0, relay("edit", id, "--file", text.toString()).code());
        assertEquals("better reply", Files.readString(entry));
        try (var s = Files.list(home().stateDir().resolve("edited"))) {
            assertEquals("reply for s2", Files.readString(s.findFirst().orElseThrow()));
        }
    }

    @Test
    void bad_usage_exits_2() {
        envelope("s1", "x");
        assertEquals(2, relay("cancel").code());
        assertEquals(2, relay("edit", "e1234567").code(), "no text");
        assertEquals(2, relay("edit", "e1234567", "--text", "a", "--file", "f").code(), "two texts");
        assertEquals(1, relay("edit", "e0000000", "--text", "a").code(), "unknown id");
    }

    @Test
    void the_service_refuses_an_empty_edit() {
        envelope("s1", "x");
        QueueItems items = new QueueItems(home(), 1 << 20, Clock.systemUTC());
        String id = items.list().get(0).id();
        assertTrue(items.edit(id, " ", "cli") instanceof QueueItems.Outcome.Refused);
    }
}
