package dev.relay.dispatch;

import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import dev.relay.files.IoCause;
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
 * after a crash never queues its reply twice. A reply is first held (.held-NAME) and released only once the work it
 * answers is removed ({@link #hold}).
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
    private static final String HELD_PREFIX = ".held-";

    /** Queues {@code text} for {@code session} unless the reply of {@code key} is already queued: held, then released. */
    public boolean enqueue(SessionId session, String key, String text) {
        boolean queued = hold(session, key, text);
        release(session, key);
        return queued;
    }

    /**
     * Writes the reply of {@code key} as a held entry ({@code .held-NAME}, which no one hands over) unless it is
     * already queued, held or not. The relay holds a reply until the envelope it answers is removed, then
     * {@link #release}s it: so a reply is never delivered while its envelope could still be taken for it again.
     *
     * @return false when it was already queued
     */
    public boolean hold(SessionId session, String key, String text) {
        boolean written = holdUnsynced(session, key, text);
        if (written) {
            AtomicFiles.fsyncDirectory(root.resolve(session.value()));
        }
        return written;
    }

    /**
     * {@link #hold} with the entry's content durable but not yet its name: the caller syncs {@link #dir} of each
     * session once, after holding several replies.
     */
    public boolean holdUnsynced(SessionId session, String key, String text) {
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
        AtomicFiles.writeNameUnsynced(dir.resolve(HELD_PREFIX + name), text);
        return true;
    }

    /** The directory of a session's replies. */
    public Path dir(SessionId session) {
        return root.resolve(session.value());
    }

    /**
     * Lets the held reply of {@code key} go to its session; false when none is held (released already). The rename
     * is not synced: a release that a crash undoes leaves a held reply whose item is gone, which the next start
     * releases ({@link #releaseAllBut}).
     */
    public boolean release(SessionId session, String key) {
        String digest = Keys.digest(key);
        for (Path held : held(session)) {
            String name = held.getFileName().toString().substring(HELD_PREFIX.length());
            if (Entry.keyDigest(name).equals(digest)) {
                AtomicFiles.renameUnsynced(held, held.resolveSibling(name));
                return true;
            }
        }
        return false;
    }

    /**
     * Releases every held reply but those whose key digest is in {@code keep}: after a restart, once the turns whose
     * envelopes are still queued have been finished (their replies are released as their envelopes go), a reply
     * still held answers an envelope that is gone.
     *
     * @return how many were released
     */
    public int releaseAllBut(java.util.Set<String> keep) {
        int n = 0;
        for (SessionId session : sessions()) {
            for (Path held : held(session)) {
                String name = held.getFileName().toString().substring(HELD_PREFIX.length());
                if (!keep.contains(Entry.keyDigest(name))) {
                    AtomicFiles.move(held, held.resolveSibling(name));
                    n++;
                }
            }
        }
        return n;
    }

    /** Whether the reply of {@code key} is waiting (held, or not yet delivered) for {@code session}. */
    public boolean contains(SessionId session, String key) {
        return containsDigest(session, Keys.digest(key));
    }

    /** Whether a reply to the turn whose key has this digest is waiting, held or not. */
    public boolean containsDigest(SessionId session, String digest) {
        if (pending(session).stream().anyMatch(e -> e.keyDigest().equals(digest))) {
            return true;
        }
        return held(session).stream().anyMatch(p -> Entry.keyDigest(p.getFileName().toString()).equals(digest));
    }

    private List<Path> held(SessionId session) {
        Path dir = root.resolve(session.value());
        List<Path> out = new ArrayList<>();
        for (String name : names(dir, true)) {
            out.add(dir.resolve(name));
        }
        return out;
    }

    /** Replies that wait for their session, oldest first; held ones are not among them. */
    public List<Entry> pending(SessionId session) {
        Path dir = root.resolve(session.value());
        List<String> names = names(dir, false);
        List<Entry> out = new ArrayList<>(names.size());
        for (String name : names) {
            out.add(new Entry(session, dir.resolve(name)));
        }
        return out;
    }

    /** How many replies wait for {@code session} (held ones not counted), without building their entries. */
    public int count(SessionId session) {
        return names(root.resolve(session.value()), false).size();
    }

    /**
     * The names of the entries in {@code dir}, sorted (which is oldest first): the held ones or the others. Each name is
     * read once from the listing and compared as a string: a backlog of replies is listed on every hand-over, and a
     * sort that asked each path for its name on every comparison made most of the relay's garbage.
     */
    private static List<String> names(Path dir, boolean held) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (isEntryName(name, held)) {
                    out.add(name);
                }
            }
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return out;
        } catch (IOException e) {
            throw IoCause.wrap("cannot list " + dir, e);
        }
        out.sort(null);
        return out;
    }

    /** MILLIS-SEQ-KEY.txt (or .jc.txt), after the .held- prefix when {@code held}. */
    private static boolean isEntryName(String name, boolean held) {
        int start = 0;
        if (held) {
            if (!name.startsWith(HELD_PREFIX)) {
                return false;
            }
            start = HELD_PREFIX.length();
        }
        return name.length() > start + 4 && Character.isDigit(name.charAt(start)) && name.endsWith(".txt");
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
            throw IoCause.wrap("cannot list " + root, e);
        }
        out.sort(null);
        return out;
    }

    public int size() {
        int n = 0;
        for (SessionId s : sessions()) {
            n += count(s);
        }
        return n;
    }
}
