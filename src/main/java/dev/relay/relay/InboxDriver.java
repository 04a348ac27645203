package dev.relay.relay;

import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The loop's side of the inbox: raises and clears items, and finds the actions it has still to carry out. Knows which
 * items are open without reading the file each round: it reads it again only when the file changed (another process
 * acted) or a second has passed.
 */
final class InboxDriver {
    private static final Duration REREAD = Duration.ofSeconds(1);

    private final Inbox inbox;
    private final Set<String> openKeys = new HashSet<>();
    private Object seenVersion;
    private Instant readAt = Instant.MIN;
    private boolean unapplied;

    InboxDriver(Inbox inbox) {
        this.inbox = inbox;
    }

    Inbox inbox() {
        return inbox;
    }

    /** Reads the file again if it changed since it was last read (or a second has passed); true when it did. */
    boolean refresh(Instant now) {
        Object version = version();
        if (Objects.equals(version, seenVersion) && Duration.between(readAt, now).compareTo(REREAD) < 0) {
            return false;
        }
        seenVersion = version;
        readAt = now;
        Inbox.Data data = inbox.read();
        openKeys.clear();
        unapplied = false;
        for (Item i : data.items()) {
            if (i.isOpen()) {
                openKeys.add(i.key());
            }
            unapplied |= i.history().stream().anyMatch(e -> !e.applied());
        }
        return true;
    }

    private Object version() {
        try {
            BasicFileAttributes a = Files.readAttributes(inbox.file(), BasicFileAttributes.class);
            return List.of(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey()));
        } catch (NoSuchFileException e) {
            return "none";
        } catch (IOException e) {
            return null;
        }
    }

    Item raise(Inbox.Raise r) {
        Item item = inbox.raise(r);
        openKeys.add(r.key());
        seenVersion = version();
        return item;
    }

    /** Resolves the open item with {@code key}, if there is one; no file work when there is none. */
    void clear(String key, String why) {
        if (openKeys.remove(key)) {
            inbox.clear(key, why);
            seenVersion = version();
        }
    }

    /** The keys of the open items that start with {@code prefix}. */
    Set<String> openKeys(String prefix) {
        Set<String> out = new HashSet<>();
        for (String key : openKeys) {
            if (key.startsWith(prefix)) {
                out.add(key);
            }
        }
        return out;
    }

    boolean isOpen(String key) {
        return openKeys.contains(key);
    }

    /** Resolves the open items of {@code kind}, if there are any. */
    void clearKind(Kind kind, String why) {
        String prefix = kind.wire();
        for (String key : Set.copyOf(openKeys)) {
            if (key.equals(prefix) || key.startsWith(prefix + ":")) {
                clear(key, why);
            }
        }
    }

    /** The actions from anywhere the loop has not carried out yet; none without reading when the file says none. */
    List<Inbox.Pending> pending() {
        return unapplied ? inbox.unapplied() : List.of();
    }

    void applied(Inbox.Pending p, java.util.Optional<Inbox.NoteText> receipt) {
        inbox.applied(p, receipt);
        seenVersion = null;   // read again: others may be waiting
    }

    static String key(Kind kind, String detail) {
        return detail == null ? kind.wire() : kind.wire() + ":" + detail;
    }
}
