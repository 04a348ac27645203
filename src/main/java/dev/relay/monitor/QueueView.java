package dev.relay.monitor;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.Outbox;
import dev.relay.monitor.HomeSnapshot.QueuedItem;
import dev.relay.monitor.HomeSnapshot.WaitingReply;
import dev.relay.queue.QueueDirectory;
import dev.relay.queue.Rejection;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What waits: envelopes in queue/ (with previews, read once per file version), queue/.rejected/, and the replies held
 * in state/outbox/* and dispatch/*. The directories are listed again only when one's modification time moved.
 */
final class QueueView {
    private final Home home;
    private final QueueDirectory queueDir;
    private final Outbox outbox;
    private final int maxItems;
    private final int maxRejected;

    private final Map<String, QueuedItem> previews = new HashMap<>();
    private final Map<Path, Stamp> rootStamps = new HashMap<>();
    private final Map<Path, List<Path>> subdirCache = new HashMap<>();
    private Map<Path, Stamp> dirStamps = Map.of();
    private long relistAfterMillis;
    private List<QueuedItem> queue = List.of();
    private int queueTotal;
    private List<Rejection> rejected = List.of();
    private int rejectedTotal;
    private List<WaitingReply> waiting = List.of();

    QueueView(Home home, long maxEnvelopeBytes, Clock clock, int maxItems, int maxRejected) {
        this.home = home;
        this.queueDir = new QueueDirectory(home.queueDir(), maxEnvelopeBytes, clock);
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.maxItems = maxItems;
        this.maxRejected = maxRejected;
    }

    /** Lists what moved; returns whether anything shown changed. */
    boolean poll() {
        Map<Path, Stamp> stamps = new HashMap<>();
        for (Path dir : List.of(home.queueDir(), home.rejectedDir(), home.outboxRoot(), home.dispatchRoot())) {
            stamps.put(dir, Stamp.of(dir));
        }
        for (Path root : List.of(home.outboxRoot(), home.dispatchRoot())) {
            for (Path dir : subdirectories(root)) {
                stamps.put(dir, Stamp.of(dir));
            }
        }
        // File times are coarse (a kernel tick): a change in the same tick as the last listing would leave the stamp
        // as it was. So when a directory had changed just before a listing, it is listed once more a little later.
        long wallNow = System.currentTimeMillis();
        if (stamps.equals(dirStamps) && (relistAfterMillis == 0 || wallNow < relistAfterMillis)) {
            return false;
        }
        dirStamps = stamps;
        subdirCache.clear();
        boolean recent = stamps.values().stream().anyMatch(st -> st.mtimeNanos() / 1_000_000 > wallNow - 500);
        relistAfterMillis = recent ? wallNow + 300 : 0;
        List<QueuedItem> oldQueue = queue;
        int oldTotal = queueTotal;
        List<Rejection> oldRejected = rejected;
        int oldRejectedTotal = rejectedTotal;
        List<WaitingReply> oldWaiting = waiting;
        readQueue();
        rejected = queueDir.rejected(maxRejected);
        rejectedTotal = queueDir.rejectedCount();
        readWaiting();
        return !queue.equals(oldQueue) || queueTotal != oldTotal || !rejected.equals(oldRejected)
                || rejectedTotal != oldRejectedTotal || !waiting.equals(oldWaiting);
    }

    /** The first envelopes, oldest first. */
    List<QueuedItem> queue() {
        return queue;
    }

    int queueTotal() {
        return queueTotal;
    }

    List<Rejection> rejected() {
        return rejected;
    }

    int rejectedTotal() {
        return rejectedTotal;
    }

    List<WaitingReply> waiting() {
        return waiting;
    }

    /** The names of dispatch/'s session directories that are valid session ids. */
    List<String> dispatchSessions() {
        List<String> out = new ArrayList<>();
        for (Path p : subdirectories(home.dispatchRoot())) {
            String name = p.getFileName().toString();
            if (SessionId.isValid(name)) {
                out.add(name);
            }
        }
        return out;
    }

    private void readQueue() {
        List<QueueDirectory.Entry> entries;
        try {
            entries = queueDir.list();
        } catch (RuntimeException e) {
            entries = List.of();
        }
        queueTotal = entries.size();
        List<QueuedItem> items = new ArrayList<>();
        Map<String, QueuedItem> keep = new HashMap<>();
        for (QueueDirectory.Entry e : entries.subList(0, Math.min(entries.size(), maxItems))) {
            String cacheKey = e.name() + "|" + e.size() + "|" + e.modifiedAt();
            QueuedItem item = previews.get(cacheKey);
            if (item == null) {
                item = describe(e);
            }
            keep.put(cacheKey, item);
            items.add(item);
        }
        previews.clear();
        previews.putAll(keep);
        queue = items;
    }

    private QueuedItem describe(QueueDirectory.Entry e) {
        QueueDirectory.ReadResult r = queueDir.read(e);
        if (r instanceof QueueDirectory.ReadResult.Valid v) {
            return new QueuedItem(e.name(), v.envelope().envelope().session().value(), e.modifiedAt(), e.size(),
                    Previews.preview(v.envelope().envelope().content()));
        }
        String why = r instanceof QueueDirectory.ReadResult.Invalid inv ? "will be rejected: " + inv.reason() : "(gone)";
        return new QueuedItem(e.name(), "?", e.modifiedAt(), e.size(), why);
    }

    private void readWaiting() {
        TreeSet<String> names = new TreeSet<>();
        subdirectories(home.outboxRoot()).forEach(p -> names.add(p.getFileName().toString()));
        subdirectories(home.dispatchRoot()).forEach(p -> names.add(p.getFileName().toString()));
        List<WaitingReply> out = new ArrayList<>();
        for (String name : names) {
            if (!SessionId.isValid(name)) {
                continue;
            }
            SessionId s = SessionId.of(name);
            List<Outbox.Entry> pending;
            try {
                pending = outbox.pending(s);
            } catch (RuntimeException e) {
                pending = List.of();
            }
            Path input = home.inputFile(s);
            boolean inputPending = Files.exists(input);
            if (pending.isEmpty() && !inputPending) {
                continue;
            }
            Path first = pending.isEmpty() ? input : pending.get(0).file();
            out.add(new WaitingReply(name, pending.size(), inputPending, Previews.ofFile(first)));
        }
        waiting = out;
    }

    /** The subdirectories of a root (outbox, dispatch), listed again only when the root's stamp moved. */
    private Collection<Path> subdirectories(Path root) {
        Stamp s = Stamp.of(root);
        if (s.equals(rootStamps.get(root)) && subdirCache.containsKey(root)) {
            return subdirCache.get(root);
        }
        rootStamps.put(root, s);
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(root, Files::isDirectory)) {
                stream.forEach(out::add);
            } catch (IOException e) {
                // listed again at the next change
            }
        }
        subdirCache.put(root, out);
        return out;
    }
}
