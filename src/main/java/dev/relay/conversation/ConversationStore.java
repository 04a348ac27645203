package dev.relay.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The persisted coordinator conversation: an append-only JSON-lines journal (one write per turn and one fsync per
 * reply, whatever the history's length), rewritten whole only when it is compacted after a summary.
 */
public final class ConversationStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;
    private final List<Turn> turns = new ArrayList<>();
    private final List<String> promptTexts = new ArrayList<>();
    private final Set<String> userKeys = new HashSet<>();
    private final Set<String> assistantKeys = new HashSet<>();
    /** What each session's reports cost so far (status.json sessions[].cost_usd), by whom each turn was charged to. */
    private final Map<String, Double> costBy = new TreeMap<>();
    /** Who spoke each user turn: its key to the session (or operator) it was charged to, for journals without charges. */
    private final Map<String, String> speakerOf = new HashMap<>();
    /** The batch each batched report belongs to: report key to batch key. */
    private final Map<String, String> batchOfReport = new HashMap<>();
    private long chars;
    private FileChannel journal;

    private ConversationStore(Path file) {
        this.file = file;
    }

    /** What opening found: the store, and a description of any damage repaired (the damaged file is kept aside). */
    public record Opened(ConversationStore store, Optional<String> damage) {}

    public static Opened open(Path file) {
        ConversationStore store = new ConversationStore(file);
        Optional<String> damage = store.load();
        store.openJournal();
        return new Opened(store, damage);
    }

    private Optional<String> load() {
        turns.clear();
        promptTexts.clear();
        userKeys.clear();
        assistantKeys.clear();
        batchOfReport.clear();
        costBy.clear();
        speakerOf.clear();
        chars = 0;
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<Turn> good = new ArrayList<>();
        int bad = 0;
        int firstBadLine = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean last = i == lines.length - 1;
            if (line.isBlank()) {
                continue;
            }
            Optional<Turn> turn = last ? Optional.empty() : parse(line); // a last line without newline is torn
            if (turn.isPresent()) {
                good.add(turn.get());
            } else {
                bad++;
                if (firstBadLine == 0) {
                    firstBadLine = i + 1;
                }
            }
        }
        good.forEach(this::remember);
        if (bad == 0) {
            return Optional.empty();
        }
        Path aside = file.resolveSibling(file.getFileName() + ".damaged-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now()));
        try {
            Files.copy(file, aside, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the damaged " + file + " aside: " + e.getMessage(), e);
        }
        rewrite(good);
        return Optional.of(file + " was damaged (" + bad + " unreadable line" + (bad == 1 ? "" : "s")
                + ", the first at line " + firstBadLine + "): kept aside as " + aside.getFileName()
                + "; the " + good.size() + " readable turns were kept");
    }

    /** One journal line as a turn; empty when the line is not a complete turn (torn or damaged). */
    public static Optional<Turn> parseLine(String line) {
        return parse(line);
    }

    private static Optional<Turn> parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject() || !n.path("content").isTextual() || !n.path("at").isTextual()) {
                return Optional.empty();
            }
            Turn.Role role = Turn.Role.valueOf(n.path("type").asText("").toUpperCase());
            Usage usage = n.has("usage") ? JSON.treeToValue(n.get("usage"), Usage.class) : Usage.NONE;
            List<Turn.Report> reports = new ArrayList<>();
            for (JsonNode r : n.path("reports")) {
                reports.add(new Turn.Report(r.path("session").asText(""), r.path("key").asText(""),
                        Instant.parse(r.path("at").asText())));
            }
            List<Turn.Answer> answers = new ArrayList<>();
            for (JsonNode a : n.path("answers")) {
                answers.add(new Turn.Answer(a.path("id").asText(""), a.path("session").asText(""), a.path("text").asText(""),
                        a.path("delivered").asBoolean(false)));
            }
            Map<String, Double> charges = new TreeMap<>();
            n.path("charges").fields().forEachRemaining(e -> charges.put(e.getKey(), e.getValue().asDouble()));
            return Optional.of(new Turn(role, n.path("speaker").asText(""), n.get("content").textValue(),
                    n.path("key").asText(""), Instant.parse(n.get("at").textValue()), usage, reports, answers, charges));
        } catch (JsonProcessingException | IllegalArgumentException | java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    private static String serialize(Turn t) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", t.role().name().toLowerCase());
        if (!t.speaker().isEmpty()) {
            n.put("speaker", t.speaker());
        }
        if (!t.key().isEmpty()) {
            n.put("key", t.key());
        }
        n.put("at", t.at().toString());
        n.put("content", t.content());
        if (t.role() != Turn.Role.USER) {
            n.set("usage", JSON.valueToTree(t.usage()));
        }
        if (t.isBatch()) {
            var reports = n.putArray("reports");
            t.reports().forEach(r -> reports.addObject().put("session", r.session()).put("key", r.key()).put("at", r.at().toString()));
        }
        if (!t.charges().isEmpty()) {
            var charges = n.putObject("charges");
            t.charges().forEach(charges::put);
        }
        if (!t.answers().isEmpty()) {
            var answers = n.putArray("answers");
            t.answers().forEach(a -> answers.addObject().put("id", a.toolUseId()).put("session", a.session())
                    .put("text", a.text()).put("delivered", a.delivered()));
        }
        return n.toString() + "\n";
    }

    private void remember(Turn t) {
        turns.add(t);
        String prompt = t.promptText();
        promptTexts.add(prompt);
        chars += prompt.length();
        if (t.role() != Turn.Role.USER) {
            chargesOf(t).forEach((who, cost) -> costBy.merge(who, cost, Double::sum));
        } else if (!t.isBatch() && !t.key().isEmpty()) {
            speakerOf.put(t.key(), t.speaker());
        }
        if (t.role() == Turn.Role.USER && !t.key().isEmpty()) {
            userKeys.add(t.key());
            for (Turn.Report r : t.reports()) {
                batchOfReport.put(r.key(), t.key());
            }
        } else if (t.role() == Turn.Role.ASSISTANT && !t.key().isEmpty()) {
            assistantKeys.add(t.key());
        }
    }

    private void openJournal() {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                AtomicFiles.fsyncDirectory(file.toAbsolutePath().getParent());
            }
            journal = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends durably: when this returns, the turn survives a crash (and so does any appended unsynced before it). */
    public void append(Turn turn) {
        append(turn, true);
    }

    /**
     * Appends without syncing: for a turn whose source is still on disk (a user turn, while its envelope waits in
     * the queue). A crash of the relay alone loses nothing; a crash of the machine may lose the turn, and it is taken
     * again from its envelope. The next {@link #append(Turn)} (the reply's) makes it durable with the same sync.
     */
    public void appendUnsynced(Turn turn) {
        append(turn, false);
    }

    private void append(Turn turn, boolean sync) {
        ByteBuffer buf = ByteBuffer.wrap(serialize(turn).getBytes(StandardCharsets.UTF_8));
        long before = -1;
        try {
            before = journal.size();
            while (buf.hasRemaining()) {
                journal.write(buf);
            }
            if (sync) {
                journal.force(false);
            }
        } catch (IOException e) {
            // A part of the line may be on disk (a full disk takes some bytes): cut it off, or the next turn would be
            // appended to it and both be lost to the reader. Then trust the disk, not memory: the kernel may have
            // dropped data after a failed fsync.
            if (before >= 0) {
                try {
                    journal.truncate(before);
                    journal.force(false);
                } catch (IOException ignored) {
                    // the reload below reads a torn last line as damage, as after a crash
                }
            }
            closeQuietly();
            load();
            openJournal();
            throw dev.relay.files.IoCause.wrap("cannot append to " + file, e);
        }
        remember(turn);
    }

    /** Replaces the whole history (after a summary), atomically. */
    public void replaceAll(List<Turn> newTurns) {
        closeQuietly();
        try {
            rewrite(newTurns);
        } finally {
            load();   // the new history, or the old one intact when the rewrite failed
            openJournal();
        }
    }

    private void rewrite(List<Turn> newTurns) {
        StringBuilder b = new StringBuilder();
        newTurns.forEach(t -> b.append(serialize(t)));
        AtomicFiles.write(file, b.toString());
    }

    public List<Turn> turns() {
        return Collections.unmodifiableList(turns);
    }

    /** What the coordinator sees of each turn, computed once when the turn is recorded. */
    public List<String> promptTexts() {
        return Collections.unmodifiableList(promptTexts);
    }

    public long chars() {
        return chars;
    }

    public boolean hasUserTurn(String key) {
        return userKeys.contains(key);
    }

    /**
     * Whom a reply's (or a summary's) cost is charged to: as the turn says, or, for a journal written before turns
     * said so, the speaker of the user turn it answered.
     */
    public Map<String, Double> chargesOf(Turn t) {
        if (!t.charges().isEmpty() || t.usage().costUsd() == 0) {
            return t.charges();
        }
        String who = t.role() == Turn.Role.SUMMARY ? Turn.SUMMARY_CHARGE : speakerOf.getOrDefault(t.key(), "(unknown)");
        return Map.of(who, t.usage().costUsd());
    }

    /** What was charged to each session (and to the operator and the summaries) over the whole history. */
    public Map<String, Double> costBySession() {
        return Collections.unmodifiableMap(costBy);
    }

    /** The key of the batched turn that gave this report, if one did. */
    public Optional<String> batchOf(String reportKey) {
        return Optional.ofNullable(batchOfReport.get(reportKey));
    }

    public Optional<Turn> assistantTurn(String key) {
        if (!assistantKeys.contains(key)) {
            return Optional.empty();
        }
        for (int i = turns.size() - 1; i >= 0; i--) {
            Turn t = turns.get(i);
            if (t.role() == Turn.Role.ASSISTANT && t.key().equals(key)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public Usage totalUsage() {
        Usage total = Usage.NONE;
        for (Turn t : turns) {
            total = total.plus(t.usage());
        }
        return total;
    }

    private void closeQuietly() {
        try {
            if (journal != null) {
                journal.close();
            }
        } catch (IOException ignored) {
            // closing a channel whose writes already failed
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
