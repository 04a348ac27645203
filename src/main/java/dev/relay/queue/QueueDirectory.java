package dev.relay.queue;

import dev.relay.core.Keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** queue/: lists envelopes oldest first, validates them, and moves bad ones to queue/.rejected/ with a reason. */
public final class QueueDirectory {
    private static final int MAX_ID_LENGTH = 200;

    private final Path dir;
    private final Path rejectedDir;
    private final long maxBytes;
    private final ObjectMapper json;
    private final Clock clock;

    public QueueDirectory(Path dir, long maxBytes, Clock clock) {
        this.dir = dir;
        this.rejectedDir = dir.resolve(".rejected");
        this.maxBytes = maxBytes;
        this.clock = clock;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64)
                        .maxDocumentLength(maxBytes)
                        .build())
                .build();
        this.json = new ObjectMapper(factory);
    }

    public Path dir() {
        return dir;
    }

    /** A file in queue/ that the relay should look at, with what the listing told of it. */
    public record Entry(Path file, Instant modifiedAt, long size, boolean directory) {
        public String name() {
            return file.getFileName().toString();
        }
    }

    /** Candidate envelopes, oldest modification time first, then name. Dotfiles and *.tmp are a writer's business. */
    public List<Entry> list() {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                entry(p).ifPresent(entries::add);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        entries.sort(ORDER);
        return entries;
    }

    public static final Comparator<Entry> ORDER = Comparator.comparing(Entry::modifiedAt).thenComparing(Entry::name);

    /** The entry for one file of queue/, or empty when it is gone or not an envelope's name. */
    public Optional<Entry> entry(Path p) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") || name.endsWith(".tmp") || !name.endsWith(".json")) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return Optional.of(new Entry(p, attrs.lastModifiedTime().toInstant(), attrs.size(), attrs.isDirectory()));
        } catch (IOException e) {
            return Optional.empty(); // removed between the event and the stat
        }
    }

    /** The outcome of reading one entry: an envelope, or why it cannot be one. */
    public sealed interface ReadResult {
        record Valid(QueuedEnvelope envelope) implements ReadResult {}
        record Invalid(String reason) implements ReadResult {}
        /** Gone before it could be read (taken by another reader, or deleted by its writer). */
        record Vanished() implements ReadResult {}
    }

    public ReadResult read(Entry entry) {
        if (entry.directory()) {
            return new ReadResult.Invalid("is a directory, not an envelope file");
        }
        if (!Files.isRegularFile(entry.file(), LinkOption.NOFOLLOW_LINKS)) {
            return new ReadResult.Invalid("is not a regular file (links and devices are not read)");
        }
        if (entry.size() > maxBytes) {
            return new ReadResult.Invalid("is " + entry.size() + " bytes, over max_envelope_bytes (" + maxBytes + ")");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(entry.file());
        } catch (java.nio.file.NoSuchFileException e) {
            return new ReadResult.Vanished();
        } catch (IOException e) {
            return new ReadResult.Invalid("cannot be read: " + e.getMessage());
        }
        if (bytes.length > maxBytes) {
            return new ReadResult.Invalid("is " + bytes.length + " bytes, over max_envelope_bytes (" + maxBytes + ")");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new ReadResult.Invalid("is not UTF-8 text");
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            return new ReadResult.Invalid("is not valid JSON (line " + e.getLocation().getLineNr() + ": "
                    + (msg == null ? "parse error" : msg.lines().findFirst().orElse(msg)) + ")");
        }
        if (root == null || root.isMissingNode()) {
            return new ReadResult.Invalid("is empty (expected a JSON object)");
        }
        if (!root.isObject()) {
            return new ReadResult.Invalid("is a JSON " + root.getNodeType().name().toLowerCase() + ", not an object");
        }
        JsonNode session = root.get("session_id");
        if (session == null || session.isNull()) {
            return new ReadResult.Invalid("has no session_id");
        }
        if (!session.isTextual()) {
            return new ReadResult.Invalid("has a session_id that is not a string");
        }
        if (!SessionId.isValid(session.textValue())) {
            try {
                SessionId.of(session.textValue());
            } catch (IllegalArgumentException e) {
                return new ReadResult.Invalid(e.getMessage());
            }
        }
        JsonNode content = root.get("content");
        if (content == null || content.isNull()) {
            return new ReadResult.Invalid("has no content");
        }
        if (!content.isTextual()) {
            return new ReadResult.Invalid("has a content that is not a string");
        }
        if (content.textValue().isBlank()) {
            return new ReadResult.Invalid("has an empty content");
        }
        Optional<String> id = Optional.empty();
        JsonNode idNode = root.get("id");
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isTextual() || idNode.textValue().isEmpty() || idNode.textValue().length() > MAX_ID_LENGTH) {
                return new ReadResult.Invalid("has an id that is not a string of 1 to " + MAX_ID_LENGTH + " characters");
            }
            id = Optional.of(idNode.textValue());
        }
        SessionId sid = SessionId.of(session.textValue());
        Envelope envelope = new Envelope(sid, content.textValue(), id);
        String key = id.map(i -> "id:" + sid + ":" + i)
                .orElseGet(() -> "file:" + Keys.digest(entry.name(), entry.modifiedAt().toString(), text));
        return new ReadResult.Valid(new QueuedEnvelope(entry.file(), entry.modifiedAt(), bytes.length, envelope, key));
    }

    /** Moves {@code file} to queue/.rejected/ (never replacing an earlier one) and writes NAME.reason beside it. */
    public Rejection reject(Path file, String reason) {
        AtomicFiles.ensurePrivateDirectory(rejectedDir);
        String name = file.getFileName().toString();
        Path target = rejectedDir.resolve(name);
        for (int i = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.exists(reasonFile(target)); i++) {
            target = rejectedDir.resolve(name + "." + i);
        }
        String line = reason.replaceAll("[\\r\\n]+", " ");
        AtomicFiles.write(reasonFile(target), line + "\n");
        AtomicFiles.move(file, target);
        return new Rejection(name, target, line, clock.instant());
    }

    private static Path reasonFile(Path rejected) {
        return rejected.resolveSibling(rejected.getFileName() + ".reason");
    }

    /** Rejected envelopes with their reasons, newest first (for the status pane and `relay status`). */
    public List<Rejection> rejected(int limit) {
        List<Rejection> out = new ArrayList<>();
        if (!Files.isDirectory(rejectedDir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(rejectedDir, "*.reason")) {
            for (Path reasonPath : stream) {
                String fileName = reasonPath.getFileName().toString();
                Path moved = reasonPath.resolveSibling(fileName.substring(0, fileName.length() - ".reason".length()));
                String reason;
                try {
                    reason = Files.readString(reasonPath).strip();
                } catch (IOException e) {
                    continue;
                }
                out.add(new Rejection(moved.getFileName().toString(), moved, reason,
                        Files.getLastModifiedTime(reasonPath).toInstant()));
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing(Rejection::at).reversed());
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    public int rejectedCount() {
        if (!Files.isDirectory(rejectedDir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(rejectedDir, "*.reason")) {
            for (Path ignored : stream) {
                n++;
            }
        } catch (IOException e) {
            return n;
        }
        return n;
    }

    public void remove(Path file) {
        AtomicFiles.delete(file);
    }
}
