package dev.relay.dispatch;

import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import dev.relay.core.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Replies waiting for their session, durably and in order: state/outbox/SESSION/MILLIS-SEQ-KEY.txt, or
 * MILLIS-SEQ-KEY.jc.txt for the operator's direct messages. KEY is a digest of the turn key, so that whoever takes
 * an entry can tell whether it answers a given envelope. Enqueueing is idempotent per turn key, so a turn replayed
 * after a crash never queues its reply twice.
 */
public final class Outbox {
    private final Path root;
    private final Clock clock;
    private long lastMillis;
    private int seq;

    public Outbox(Path root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    /** Turn keys of the operator's own messages start with this (RelayLoop's operator files). */
    public static final String OPERATOR_KEY_PREFIX = "jc:";

    /** A waiting reply. */
    public record Entry(SessionId session, Path file) {
        public String name() {
            return file.getFileName().toString();
        }

        /** Whether the operator wrote this message (an {@code @session:} override), rather than the coordinator. */
        public boolean fromOperator() {
            return fromOperator(name());
        }

        /** The digest of the turn key this entry answers (see {@link #answers(String)}). */
        public String keyDigest() {
            return keyDigest(name());
        }

        /** Whether this entry is the reply to the turn with {@code key}. */
        public boolean answers(String key) {
            return keyDigest().equals(Keys.digest(key));
        }

        /** When the entry was queued, from its name. */
        public long queuedAtMillis() {
            return queuedAtMillis(name());
        }

        public static boolean fromOperator(String name) {
            return name.endsWith(OPERATOR_SUFFIX);
        }

        public static String keyDigest(String name) {
            String base = name.endsWith(OPERATOR_SUFFIX) ? name.substring(0, name.length() - OPERATOR_SUFFIX.length())
                    : name.endsWith(".txt") ? name.substring(0, name.length() - 4) : name;
            int dash = base.lastIndexOf('-');
            return dash < 0 ? "" : base.substring(dash + 1);
        }

        public static long queuedAtMillis(String name) {
            int dash = name.indexOf('-');
            try {
                return dash < 0 ? 0 : Long.parseLong(name.substring(0, dash));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    private static final String OPERATOR_SUFFIX = ".jc.txt";

    /** Queues {@code text} for {@code session} unless the reply of {@code key} is already queued. */
    public boolean enqueue(SessionId session, String key, String text) {
        if (contains(session, key)) {
            return false;
        }
        String digest = Keys.digest(key);
        Path dir = AtomicFiles.ensurePrivateDirectory(root.resolve(session.value()));
        long now = clock.millis();
        if (now > lastMillis) {
            lastMillis = now;
            seq = 0;
        } else {
            seq++;
        }
        String name = String.format("%013d-%06d-%s%s", lastMillis, seq, digest,
                key.startsWith(OPERATOR_KEY_PREFIX) ? OPERATOR_SUFFIX : ".txt");
        AtomicFiles.write(dir.resolve(name), text);
        return true;
    }

    /** Whether the reply of {@code key} is waiting (not yet delivered) for {@code session}. */
    public boolean contains(SessionId session, String key) {
        String digest = Keys.digest(key);
        return pending(session).stream().anyMatch(e -> e.keyDigest().equals(digest));
    }

    public List<Entry> pending(SessionId session) {
        Path dir = root.resolve(session.value());
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "[0-9]*.txt")) {
            stream.forEach(p -> out.add(new Entry(session, p)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /** Sessions that have an outbox directory (with or without waiting replies). */
    public List<SessionId> sessions() {
        List<SessionId> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && SessionId.isValid(name)) {
                    out.add(SessionId.of(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    public int size() {
        int n = 0;
        for (SessionId s : sessions()) {
            n += pending(s).size();
        }
        return n;
    }
}
