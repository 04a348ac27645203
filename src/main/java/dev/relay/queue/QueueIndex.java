package dev.relay.queue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The envelopes in queue/, kept in order from directory events so that taking the next one does not list and stat
 * the whole backlog each time; a full listing replaces it after an event overflow and on the periodic rescan.
 */
public final class QueueIndex {
    private final QueueDirectory queue;
    private final TreeSet<QueueDirectory.Entry> ordered = new TreeSet<>(QueueDirectory.ORDER);
    private final Map<Path, QueueDirectory.Entry> byFile = new HashMap<>();
    private final Map<Path, QueueDirectory.Entry> fresh = new java.util.LinkedHashMap<>();

    public QueueIndex(QueueDirectory queue) {
        this.queue = queue;
    }

    /** Replaces the index with a full listing. */
    public void rescan() {
        Map<Path, QueueDirectory.Entry> before = new HashMap<>(byFile);
        ordered.clear();
        byFile.clear();
        for (QueueDirectory.Entry e : queue.list()) {
            ordered.add(e);
            byFile.put(e.file(), e);
            if (!e.equals(before.get(e.file()))) {
                fresh.put(e.file(), e);
            }
        }
    }

    /** Something happened to this file: re-read its attributes, or forget it if it is gone. */
    public void changed(Path file) {
        forget(file);
        queue.entry(file).ifPresent(e -> {
            ordered.add(e);
            byFile.put(e.file(), e);
            fresh.put(e.file(), e);
        });
    }

    /** Entries that appeared or changed since the last call (to screen new envelopes while none is taken). */
    public List<QueueDirectory.Entry> takeFresh() {
        List<QueueDirectory.Entry> out = new ArrayList<>(fresh.values());
        fresh.clear();
        out.removeIf(e -> !e.equals(byFile.get(e.file())));
        return out;
    }

    public void forget(Path file) {
        QueueDirectory.Entry old = byFile.remove(file);
        if (old != null) {
            ordered.remove(old);
        }
    }

    /** Oldest first; a copy, so the caller may change the index while going through it. */
    public List<QueueDirectory.Entry> entries() {
        return new ArrayList<>(ordered);
    }

    public Optional<QueueDirectory.Entry> oldest() {
        return ordered.isEmpty() ? Optional.empty() : Optional.of(ordered.first());
    }

    public int size() {
        return ordered.size();
    }
}
