package dev.relay.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.core.DirectMessage;
import dev.relay.core.Home;
import dev.relay.core.Keys;
import dev.relay.core.SessionId;
import dev.relay.dispatch.InputLabel;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.trail.Trail;
import dev.relay.queue.QueueDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What waits to be taken, and the operator's changes to it before it is: envelopes in queue/, replies and the
 * operator's direct messages in state/outbox/SESSION/, the operator's messages in state/operator/ and
 * state/jc_input.txt. Cancelled ones are moved aside (queue/.cancelled/, state/cancelled/), never deleted; an edit
 * keeps the original beside (queue/.edited/, state/edited/) and is recorded in state/edits.jsonl.
 *
 * <p>An item's id is a letter for its kind ({@code e} envelope, {@code r} reply, {@code o} operator) and the first 7
 * hex digits of the SHA-256 of its file's path relative to the home: the same in every listing while the file is
 * there (an edit keeps the name, so the id), and any unique prefix of it is accepted.
 *
 * <p>Why a change is safe with a relay running: it starts with one rename of the item's file out of the place the
 * relay reads it from. The relay takes an outbox entry by renaming it too (to input.txt, or into an agent's claims),
 * so exactly one of the two renames succeeds: ours fails (NoSuchFile: "taken meanwhile") or the relay finds nothing to
 * deliver. An envelope (or an operator message for the coordinator) is not renamed when taken: it is read, its user
 * turn is appended to the journal, and it is removed once answered; so the journal is checked before the rename and
 * again after it, and a user turn found after it puts the file back and refuses. The relay, for its part, checks
 * after appending the user turn (TurnRunner.start) that the file is still there and, for an envelope, still holds the
 * text it read, and gives the turn up if not: of our check after the rename and its check after the append, one
 * always sees the other, so a cancelled message is never answered and an edited one is answered with its new text
 * only (the old text stays in the journal as a user turn that was given up).
 * For a follow-up to a running container agent, whose text is read before its claim, the same kind of window lets an
 * edit that lands between the read and the claim go unseen (the agent gets the old text).
 */
public final class QueueItems {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ID_HEX = 7;
    private static final int MIN_PREFIX = 3;

    public enum Kind {
        ENVELOPE("e"), REPLY("r"), OPERATOR("o");

        private final String letter;

        Kind(String letter) {
            this.letter = letter;
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One waiting message.
     *
     * @param session the envelope's, the outbox's, or an operator message's {@code @S:} target; empty otherwise
     * @param size    the file's size in bytes
     * @param takenBy when it can no longer be changed, what is answering or delivering it
     * @param key     the turn key it belongs to (an envelope's, an operator message's), or empty for an outbox entry
     */
    public record Item(String id, Kind kind, Optional<String> session, Instant queuedAt, long size, String preview,
                       String text, Optional<String> takenBy, Path file, Optional<String> key) {
        public boolean taken() {
            return takenBy.isPresent();
        }
    }

    /** What a cancel or an edit came to. */
    public sealed interface Outcome {
        /** Done: the item as it was, and where its file (a cancel) or its original (an edit) was kept. */
        record Done(Item item, Path keptAt) implements Outcome {}
        /** Not done, and why: an unknown id, or an item already taken (naming what takes it). */
        record Refused(String reason) implements Outcome {}
    }

    private final Home home;
    private final QueueDirectory queue;
    private final Outbox outbox;
    private final Clock clock;
    private final long maxEnvelopeBytes;

    public QueueItems(Home home, long maxEnvelopeBytes, Clock clock) {
        this.home = home;
        this.maxEnvelopeBytes = maxEnvelopeBytes;
        this.queue = new QueueDirectory(home.queueDir(), maxEnvelopeBytes, clock);
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.clock = clock;
    }

    public Path cancelledDir() {
        return home.queueDir().resolve(".cancelled");
    }

    public Path editedDir() {
        return home.queueDir().resolve(".edited");
    }

    public Path stateCancelledDir() {
        return home.stateDir().resolve("cancelled");
    }

    public Path stateEditedDir() {
        return home.stateDir().resolve("edited");
    }

    public Path editsFile() {
        return home.stateDir().resolve("edits.jsonl");
    }

    /** The id of a file of the home. */
    public String idOf(Kind kind, Path file) {
        String rel = home.root().relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
        return kind.letter + Keys.digest(rel).substring(0, ID_HEX);
    }

    // ---------------------------------------------------------------- listing

    /** Everything that waits: envelopes oldest first, then each session's outbox in order, then the operator's. */
    public List<Item> list() {
        Journal journal = Journal.read(home.conversationFile());
        List<Item> out = new ArrayList<>();
        for (QueueDirectory.Entry e : queue.list()) {
            if (queue.read(e) instanceof QueueDirectory.ReadResult.Valid v) {
                String key = v.envelope().key();
                out.add(new Item(idOf(Kind.ENVELOPE, e.file()), Kind.ENVELOPE,
                        Optional.of(v.envelope().envelope().session().value()), e.modifiedAt(), e.size(),
                        Previews.preview(v.envelope().envelope().content()), v.envelope().envelope().content(),
                        journal.answering(key), e.file(), Optional.of(key)));
            }
        }
        for (SessionId s : outbox.sessions()) {
            Optional<InputLabel> label = InputLabel.read(home.inputLabelFile(s));
            for (Outbox.Entry e : outbox.pending(s)) {
                String text = readOrNull(e.file());
                if (text == null) {
                    continue;
                }
                Optional<String> taken = label.filter(l -> e.name().equals(l.entry()))
                        .map(l -> "being handed to dispatch/" + s + "/input.txt");
                out.add(new Item(idOf(e.fromOperator() ? Kind.OPERATOR : Kind.REPLY, e.file()),
                        e.fromOperator() ? Kind.OPERATOR : Kind.REPLY, Optional.of(s.value()),
                        Instant.ofEpochMilli(e.queuedAtMillis()), size(e.file()), Previews.preview(text), text, taken,
                        e.file(), Optional.empty()));
            }
            for (Path claim : claims(s)) {
                String text = readOrNull(claim);
                if (text != null) {
                    String name = claim.getFileName().toString();
                    String entry = name.substring(name.indexOf('-') + 1);
                    Kind kind = Outbox.Entry.fromOperator(entry) ? Kind.OPERATOR : Kind.REPLY;
                    out.add(new Item(idOf(kind, claim), kind, Optional.of(s.value()),
                            Instant.ofEpochMilli(Outbox.Entry.queuedAtMillis(entry)), size(claim), Previews.preview(text),
                            text, Optional.of("claimed by container agent " + s), claim, Optional.empty()));
                }
            }
        }
        for (Path f : operatorFiles()) {
            String text = readOrNull(f);
            if (text == null) {
                continue;
            }
            String key = Outbox.OPERATOR_KEY_PREFIX + f.getFileName();
            Optional<String> target = DirectMessage.parse(text).map(d -> d.session().value());
            Optional<String> taken = f.equals(home.jcInputFile()) ? Optional.empty() : journal.answering(key)
                    .or(() -> target.filter(t -> SessionId.isValid(t) && outbox.containsDigest(SessionId.of(t), Keys.digest(key)))
                            .map(t -> "sent to the outbox of " + t));
            out.add(new Item(idOf(Kind.OPERATOR, f), Kind.OPERATOR, target, queuedAt(f), size(f), Previews.preview(text),
                    text, taken, f, f.equals(home.jcInputFile()) ? Optional.empty() : Optional.of(key)));
        }
        return out;
    }

    /** The item with this id (or unique prefix of one); empty with the reason in {@code why} otherwise. */
    public Optional<Item> find(String id, StringBuilder why) {
        String want = id.strip().toLowerCase(Locale.ROOT);
        if (want.length() < MIN_PREFIX) {
            why.append("an id has at least " + MIN_PREFIX + " characters (see `relay queue`)");
            return Optional.empty();
        }
        List<Item> matches = list().stream().filter(i -> i.id().startsWith(want)).toList();
        if (matches.isEmpty()) {
            why.append("no waiting message has id " + id + " (see `relay queue`: it may have been taken or cancelled)");
            return Optional.empty();
        }
        if (matches.size() > 1) {
            why.append("id " + id + " is ambiguous: " + String.join(", ", matches.stream().map(Item::id).toList()));
            return Optional.empty();
        }
        return Optional.of(matches.get(0));
    }

    // ---------------------------------------------------------------- cancel

    /** Moves the item aside with a .reason sidecar saying who cancelled it and when. */
    public Outcome cancel(String id, String by) {
        StringBuilder why = new StringBuilder();
        Optional<Item> found = find(id, why);
        if (found.isEmpty()) {
            return new Outcome.Refused(why.toString());
        }
        Item item = found.get();
        if (item.taken()) {
            return refusedTaken(item, item.takenBy().get());
        }
        Instant at = clock.instant();
        Path target = unique(item.kind() == Kind.ENVELOPE ? cancelledDir() : stateCancelledDir(), asideName(item));
        Path reason = reasonFile(target);
        AtomicFiles.write(reason, "cancelled by " + by + " at " + at + " (" + item.id() + ", " + item.kind().wire()
                + item.session().map(s -> ", session " + s).orElse("") + ")\n");
        Optional<Outcome> moved = moveAside(item, target);
        if (moved.isPresent()) {
            AtomicFiles.deleteQuietly(reason);
            return moved.get();
        }
        trail("cancelled", item, by, null, at);
        return new Outcome.Done(item, target);
    }

    // ---------------------------------------------------------------- edit

    /** Replaces the item's text, keeping its name (and an envelope its other fields and place in the order). */
    public Outcome edit(String id, String newText, String by) {
        if (newText == null || newText.isBlank()) {
            return new Outcome.Refused("the new text is empty");
        }
        StringBuilder why = new StringBuilder();
        Optional<Item> found = find(id, why);
        if (found.isEmpty()) {
            return new Outcome.Refused(why.toString());
        }
        Item item = found.get();
        if (item.taken()) {
            return refusedTaken(item, item.takenBy().get());
        }
        byte[] replacement;
        FileTime mtime;
        try {
            mtime = Files.getLastModifiedTime(item.file(), LinkOption.NOFOLLOW_LINKS);
            if (item.kind() == Kind.ENVELOPE) {
                JsonNode root = JSON.readTree(Files.readAllBytes(item.file()));
                ((ObjectNode) root).put("content", newText);   // session_id, id and unknown fields kept
                replacement = JSON.writeValueAsBytes(root);
            } else {
                replacement = newText.getBytes(StandardCharsets.UTF_8);
            }
        } catch (NoSuchFileException e) {
            return refusedTaken(item, "taken meanwhile");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + item.file() + ": " + e.getMessage(), e);
        }
        if (item.kind() == Kind.ENVELOPE && replacement.length > maxEnvelopeBytes) {
            return new Outcome.Refused("the edited envelope would be " + replacement.length
                    + " bytes, over max_envelope_bytes (" + maxEnvelopeBytes + ")");
        }
        // The new text is durable under a name no reader looks at before the original moves: then one rename each.
        Path staged = stage(item.file(), replacement, mtime);
        Path kept = unique(item.kind() == Kind.ENVELOPE ? editedDir() : stateEditedDir(), asideName(item));
        Optional<Outcome> moved = moveAside(item, kept);
        if (moved.isPresent()) {
            AtomicFiles.deleteQuietly(staged);
            return moved.get();
        }
        AtomicFiles.move(staged, item.file());
        record(item, newText, by);
        trail("edited", item, by, newText, clock.instant());
        return new Outcome.Done(item, kept);
    }

    /** The step in the record of every message (relay trace), under the message's file name as the relay names it. */
    private void trail(String step, Item item, String by, String text, Instant at) {
        try (Trail t = new Trail(home.trailFile())) {
            t.append(new Trail.Step(at.toString(), step, Trail.messageName(item.file()),
                    item.session().orElse(null), null, by, text == null ? null : text.length() > 200 ? text.substring(0, 200) + "…" : text));
        }
    }

    private void record(Item item, String newText, String by) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", item.id());
        n.put("kind", item.kind().wire());
        if (item.session().isPresent()) {
            n.put("session", item.session().get());
        } else {
            n.putNull("session");
        }
        n.put("file", home.root().relativize(item.file()).toString());
        n.put("at", clock.instant().toString());
        n.put("original", item.text());
        n.put("new", newText);
        n.put("by", by);
        AtomicFiles.ensurePrivateDirectory(home.stateDir());
        try (FileChannel ch = FileChannel.open(editsFile(), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buf = ByteBuffer.wrap((JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("the edit is made, but cannot be recorded in " + editsFile() + ": "
                    + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- the one rename

    /**
     * Renames the item's file to {@code target}: empty when done. Refused when the relay took it first (the file is
     * gone), or when, for an item that becomes a coordinator turn, its user turn is in the journal once the file is
     * out of the relay's way (then the file goes back where it was): see the class comment.
     */
    private Optional<Outcome> moveAside(Item item, Path target) {
        AtomicFiles.ensurePrivateDirectory(target.getParent());
        try {
            Files.move(item.file(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return Optional.of(refusedTaken(item, "taken meanwhile"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + item.file() + " to " + target + ": " + e.getMessage(), e);
        }
        AtomicFiles.fsyncDirectory(target.getParent());
        AtomicFiles.fsyncDirectory(item.file().getParent());
        if (item.key().isPresent()) {
            Optional<String> answering = Journal.read(home.conversationFile()).answering(item.key().get());
            if (answering.isPresent()) {
                AtomicFiles.move(target, item.file());
                return Optional.of(refusedTaken(item, answering.get()));
            }
        }
        return Optional.empty();
    }

    private static Outcome refusedTaken(Item item, String by) {
        return new Outcome.Refused(item.id() + " is already taken (" + by + "): it can no longer be changed");
    }

    /** The new content under a hidden name in the item's directory, durable, with the original's modification time. */
    private static Path stage(Path file, byte[] content, FileTime mtime) {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + tmp + ": " + e.getMessage(), e);
        }
        try {
            Files.setLastModifiedTime(tmp, mtime);   // the queue's order is by modification time
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new UncheckedIOException("cannot set the time of " + tmp + ": " + e.getMessage(), e);
        }
        return tmp;
    }

    /** The name an item is kept aside under: where it came from, so that names from two outboxes never meet. */
    private String asideName(Item item) {
        Path parent = item.file().getParent();
        if (item.kind() == Kind.ENVELOPE) {
            return item.file().getFileName().toString();
        }
        if (item.file().equals(home.jcInputFile())) {
            return "jc_input-" + clock.millis() + ".txt";
        }
        if (parent.equals(home.operatorDir())) {
            return "operator-" + item.file().getFileName();
        }
        return "outbox-" + parent.getFileName() + "-" + item.file().getFileName();
    }

    private static Path unique(Path dir, String name) {
        Path target = dir.resolve(name);
        for (int i = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.exists(reasonFile(target)); i++) {
            target = dir.resolve(name + "." + i);
        }
        return target;
    }

    private static Path reasonFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".reason");
    }

    // ---------------------------------------------------------------- files

    private List<Path> operatorFiles() {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(home.operatorDir())) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(home.operatorDir(), "[0-9]*.txt")) {
                stream.forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + home.operatorDir(), e);
            }
        }
        files.sort(null);
        if (Files.isRegularFile(home.jcInputFile(), LinkOption.NOFOLLOW_LINKS)) {
            files.add(home.jcInputFile());
        }
        return files;
    }

    private List<Path> claims(SessionId s) {
        Path dir = home.agentClaimsDir(s);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "{start-,follow-}*")) {
            stream.forEach(out::add);
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString().substring(p.getFileName().toString().indexOf('-') + 1)));
        return out;
    }

    private static Instant queuedAt(Path f) {
        long millis = Outbox.Entry.queuedAtMillis(f.getFileName().toString());
        if (millis > 0) {
            return Instant.ofEpochMilli(millis);
        }
        try {
            return Files.getLastModifiedTime(f).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readOrNull(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;   // taken between the listing and the read
        }
    }

    /** The journal's user-turn keys, read without opening it for writing (a relay may hold it). */
    private record Journal(Set<String> userKeys, Set<String> batchedKeys) {
        static Journal read(Path file) {
            Set<String> users = new HashSet<>();
            Set<String> batched = new HashSet<>();
            if (Files.exists(file)) {
                try {
                    for (String line : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n")) {
                        ConversationStore.parseLine(line).filter(t -> t.role() == Turn.Role.USER).ifPresent(t -> {
                            users.add(t.key());
                            t.reports().forEach(r -> batched.add(r.key()));
                        });
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
                }
            }
            return new Journal(users, batched);
        }

        /** What answers the turn of {@code key}, if its user turn is recorded. */
        Optional<String> answering(String key) {
            if (userKeys.contains(key)) {
                return Optional.of("a coordinator turn is answering it");
            }
            if (batchedKeys.contains(key)) {
                return Optional.of("a batched coordinator turn is answering it");
            }
            return Optional.empty();
        }
    }
}
