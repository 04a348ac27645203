package dev.relay.monitor;

import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.Outbox;
import dev.relay.monitor.HomeSnapshot.LogLine;
import dev.relay.monitor.HomeSnapshot.QueuedItem;
import dev.relay.monitor.HomeSnapshot.WaitingReply;
import dev.relay.queue.QueueDirectory;
import dev.relay.queue.Rejection;
import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a home's files (status.json, the conversation journal, the log, queue/, the outboxes) and publishes a
 * {@link HomeSnapshot} whenever something changed. Cheap when nothing happens: a poll is a handful of stat calls, and
 * files are read only when their size or modification time moved.
 */
public final class HomeMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HomeMonitor.class);
    /** How often an idle console looks at the files (quicker for five seconds after anything changed). */
    public static final Duration IDLE_INTERVAL = Duration.ofMillis(500);
    public static final int MAX_TURNS = 1000;
    public static final int MAX_LOG_LINES = 2000;
    public static final int MAX_QUEUE_ITEMS = 200;
    public static final int MAX_REJECTED = 50;
    private static final int PREVIEW_CHARS = 160;

    private final Home home;
    private final Clock clock;
    private final List<String> configuredSessions;
    private final QueueDirectory queueDir;
    private final Outbox outbox;
    private final StatusFile statusFile;
    private final Tail conversationTail;
    private final Tail logTail;
    private final Duration interval;

    private final ArrayDeque<Turn> turns = new ArrayDeque<>();
    private final ArrayDeque<LogLine> log = new ArrayDeque<>();
    private final Map<String, QueuedItem> previews = new HashMap<>();
    private Stamp statusStamp = Stamp.NONE;
    private Optional<Status> status = Optional.empty();
    private boolean live;
    private Map<Path, Stamp> dirStamps = Map.of();
    private List<QueuedItem> queue = List.of();
    private int queueTotal;
    private List<Rejection> rejected = List.of();
    private int rejectedTotal;
    private List<WaitingReply> waiting = List.of();
    private Optional<String> pendingOverride = Optional.empty();
    private Stamp overrideStamp = Stamp.NONE;
    private long version;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private volatile String followed;
    private String agentLogSlug;
    private Tail agentTail;
    private final ArrayDeque<LogLine> agentLog = new ArrayDeque<>();
    private Map<String, String> agentStates = Map.of();
    private Optional<String> agentRuntimeProblem = Optional.empty();
    private Stamp agentsStamp = Stamp.NONE;
    private long polls;
    private volatile long lastChangeNanos;
    private Instant lastAgeTick = Instant.EPOCH;
    private Instant lastPidCheck = Instant.EPOCH;
    private Optional<Long> checkedPid = Optional.empty();
    private boolean pidAlive;
    private String statusBody = "";
    private Instant heartbeat;
    private final Map<Path, Stamp> rootStamps = new HashMap<>();
    private final Map<Path, List<Path>> subdirCache = new HashMap<>();
    private long relistAfterMillis;

    private final AtomicReference<HomeSnapshot> latest;
    private volatile boolean running;
    private Thread thread;

    public HomeMonitor(Home home, List<String> configuredSessions, long maxEnvelopeBytes, Clock clock, Duration interval) {
        this.home = home;
        this.clock = clock;
        this.configuredSessions = List.copyOf(configuredSessions);
        this.queueDir = new QueueDirectory(home.queueDir(), maxEnvelopeBytes, clock);
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.statusFile = new StatusFile(home.statusFile());
        this.conversationTail = new Tail(home.conversationFile(), 4 << 20);
        this.logTail = new Tail(home.logFile(), 512 << 10);
        this.interval = interval;
        this.latest = new AtomicReference<>(HomeSnapshot.empty(clock.instant()));
    }

    /** How many times the files were looked at (for the benchmark). */
    public synchronized long polls() {
        return polls;
    }

    /** The newest snapshot (never null). */
    public HomeSnapshot latest() {
        return latest.get();
    }

    /** Polls on a daemon thread, calling {@code onChange} (which must not block) after each new snapshot. */
    public void start(Runnable onChange) {
        running = true;
        thread = new Thread(() -> {
            while (running) {
                try {
                    if (poll()) {
                        onChange.run();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("reading the home's files failed: {}", e.toString());
                }
                // quick while things happen, slower when all is quiet (a poke still makes it look at once)
                boolean busy = System.nanoTime() - lastChangeNanos < 5_000_000_000L;
                LockSupport.parkNanos(busy ? Math.min(interval.toNanos(), 100_000_000L) : interval.toNanos());
            }
        }, "relay-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    /** Makes the polling thread look now (after a key press that changed files, say). */
    public void poke() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Looks at the files once; returns whether a new snapshot was published. */
    public synchronized boolean poll() {
        polls++;
        Instant now = clock.instant();
        boolean changed = pollStatus(now);
        changed |= pollConversation();
        changed |= pollLog();
        changed |= pollDirectories();
        changed |= pollOverride();
        changed |= pollAgents();
        // ages move with time: a new snapshot once a second while something shown ages by the second (an envelope
        // waiting, a needs_jc pause), else every ten seconds ("reported 3m ago")
        boolean ticking = queueTotal > 0 || !waiting.isEmpty() || status.map(st -> "needs_jc".equals(st.state())).orElse(false);
        long tick = ticking ? 1000 : 10_000;
        if (!changed && Duration.between(lastAgeTick, now).toMillis() < tick) {
            return false;
        }
        lastAgeTick = now;
        if (changed) {
            lastChangeNanos = System.nanoTime();
        }
        version++;
        latest.set(new HomeSnapshot(version, now, status, live, queue, queueTotal, rejected, rejectedTotal, waiting,
                List.copyOf(turns), List.copyOf(log), sessions(), pendingOverride, agentStates, List.copyOf(agentLog),
                agentRuntimeProblem));
        return true;
    }

    private boolean pollStatus(Instant now) {
        Stamp s = Stamp.of(home.statusFile());
        boolean changed = false;
        if (!s.equals(statusStamp)) {
            statusStamp = s;
            changed = readStatus(s);
        }
        if (Duration.between(lastPidCheck, now).toMillis() >= 1000 || !status.map(Status::pid).equals(checkedPid)) {
            lastPidCheck = now;
            checkedPid = status.map(Status::pid);
            pidAlive = status.map(st -> pidAlive(st.pid())).orElse(false);
        }
        boolean nowLive = pidAlive && heartbeat != null
                && Duration.between(heartbeat, now).compareTo(StatusFile.STALE_AFTER) < 0;
        if (nowLive != live) {
            live = nowLive;
            changed = true;
        }
        return changed;
    }

    /**
     * The relay rewrites status.json every second for its heartbeat alone: that is found in the text and the rest
     * compared, so the file is parsed (and the screen redrawn) only when something else in it changed.
     */
    private boolean readStatus(Stamp stamp) {
        if (stamp == Stamp.NONE) {
            boolean had = status.isPresent();
            status = Optional.empty();
            statusBody = "";
            heartbeat = null;
            return had;
        }
        String text;
        try {
            text = Files.readString(home.statusFile(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return false;   // replaced while we read it: the next poll sees the new one
        }
        int key = text.indexOf("\"heartbeat_at\"");
        int open = key < 0 ? -1 : text.indexOf('"', text.indexOf(':', key) + 1);
        int close = open < 0 ? -1 : text.indexOf('"', open + 1);
        String body = close < 0 ? text : text.substring(0, open) + text.substring(close + 1);
        Instant beat = null;
        if (close > 0) {
            try {
                beat = Instant.parse(text.substring(open + 1, close));
            } catch (RuntimeException e) {
                beat = null;
            }
        }
        if (body.equals(statusBody) && status.isPresent()) {
            heartbeat = beat;
            return false;
        }
        Optional<Status> read = StatusFile.parse(text);
        if (read.isEmpty()) {
            return false;
        }
        statusBody = body;
        heartbeat = beat;
        status = read;
        return true;
    }

    private static boolean pidAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private boolean pollConversation() {
        Tail.Chunk chunk;
        try {
            chunk = conversationTail.poll();
        } catch (IOException e) {
            return false;
        }
        if (chunk.isEmpty()) {
            return false;
        }
        if (chunk.reset()) {
            turns.clear();
        }
        for (String line : chunk.lines()) {
            ConversationStore.parseLine(line).ifPresent(t -> {
                turns.addLast(t);
                if (turns.size() > MAX_TURNS) {
                    turns.removeFirst();
                }
            });
        }
        return true;
    }

    private boolean pollLog() {
        Tail.Chunk chunk;
        try {
            chunk = logTail.poll();
        } catch (IOException e) {
            return false;
        }
        if (chunk.isEmpty()) {
            return false;
        }
        if (chunk.reset() && !chunk.lines().isEmpty()) {
            log.clear();
        }
        for (String line : chunk.lines()) {
            log.addLast(new LogLine(line, isProblem(line)));
            if (log.size() > MAX_LOG_LINES) {
                log.removeFirst();
            }
        }
        return true;
    }

    private static boolean isProblem(String line) {
        // the log pattern: "<timestamp> LEVEL [thread] ..."; continuation lines (stack traces) start with a tab or "at"
        int sp = line.indexOf(' ');
        if (sp > 0 && line.length() > sp + 5) {
            String level = line.substring(sp + 1, Math.min(line.length(), sp + 6)).trim();
            return level.equals("WARN") || level.equals("ERROR");
        }
        return line.startsWith("\t") || line.startsWith("Caused by");
    }

    /** queue/, queue/.rejected/, state/outbox/* and dispatch/*: listed again only when a directory's mtime moved. */
    private boolean pollDirectories() {
        Map<Path, Stamp> stamps = new HashMap<>();
        stamps.put(home.queueDir(), Stamp.of(home.queueDir()));
        stamps.put(home.rejectedDir(), Stamp.of(home.rejectedDir()));
        stamps.put(home.outboxRoot(), Stamp.of(home.outboxRoot()));
        stamps.put(home.dispatchRoot(), Stamp.of(home.dispatchRoot()));
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
        rejected = queueDir.rejected(MAX_REJECTED);
        rejectedTotal = queueDir.rejectedCount();
        readWaiting();
        return !queue.equals(oldQueue) || queueTotal != oldTotal || !rejected.equals(oldRejected)
                || rejectedTotal != oldRejectedTotal                || !waiting.equals(oldWaiting);
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
        for (QueueDirectory.Entry e : entries.subList(0, Math.min(entries.size(), MAX_QUEUE_ITEMS))) {
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
                    preview(v.envelope().envelope().content()));
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
            out.add(new WaitingReply(name, pending.size(), inputPending, preview(readSmall(first))));
        }
        waiting = out;
    }

    /** Follows one agent's output (one stream at a time: following another drops the first), or none. */
    public void follow(Optional<String> slug) {
        followed = slug.orElse(null);
        poke();
    }

    private boolean pollAgents() {
        boolean changed = false;
        Path file = home.stateDir().resolve("agents.json");
        Stamp s = Stamp.of(file);
        if (!s.equals(agentsStamp)) {
            agentsStamp = s;
            Map<String, String> states = new java.util.TreeMap<>();
            Optional<String> problem = Optional.empty();
            try {
                if (s != Stamp.NONE) {
                    com.fasterxml.jackson.databind.JsonNode root = JSON.readTree(file.toFile());
                    for (com.fasterxml.jackson.databind.JsonNode a : root.path("agents")) {
                        states.put(a.path("slug").asText(), a.path("state").asText());
                    }
                    if (root.hasNonNull("runtime_problem")) {
                        problem = Optional.of(root.get("runtime_problem").asText());
                    }
                }
            } catch (IOException e) {
                states = agentStates;   // being replaced: the next poll reads the new one
                problem = agentRuntimeProblem;
            }
            changed = !states.equals(agentStates) || !problem.equals(agentRuntimeProblem);
            agentStates = states;
            agentRuntimeProblem = problem;
        }
        String want = followed;
        if (!java.util.Objects.equals(want, agentLogSlug)) {
            agentLogSlug = want;
            agentLog.clear();
            agentTail = want == null || !SessionId.isValid(want) ? null
                    : new Tail(home.logsDir().resolve("agents").resolve(want + ".log"), 256 << 10);
            changed = true;
        }
        if (agentTail != null) {
            try {
                Tail.Chunk chunk = agentTail.poll();
                if (!chunk.isEmpty()) {
                    if (chunk.reset()) {
                        agentLog.clear();
                    }
                    for (String line : chunk.lines()) {
                        // "<instant> out|err <text>", as the supervisor writes it
                        String[] parts = line.split(" ", 3);
                        boolean err = parts.length == 3 && (parts[1].equals("err") || parts[1].equals("error"));
                        String text = parts.length != 3 ? line
                                : shortTime(parts[0]) + (parts[1].equals("result") ? " result: " : parts[1].equals("error") ? " error: " : " ") + parts[2];
                        agentLog.addLast(new LogLine(text, err));
                        if (agentLog.size() > MAX_LOG_LINES) {
                            agentLog.removeFirst();
                        }
                    }
                    changed = true;
                }
            } catch (IOException e) {
                LOG.debug("cannot read the agent's log: {}", e.getMessage());
            }
        }
        return changed;
    }

    private static String shortTime(String instant) {
        int t = instant.indexOf('T');
        return t > 0 && instant.length() >= t + 9 ? instant.substring(t + 1, t + 9) : instant;
    }

    private boolean pollOverride() {
        Stamp s = Stamp.of(home.jcInputFile());
        if (s.equals(overrideStamp)) {
            return false;
        }
        overrideStamp = s;
        pendingOverride = s == Stamp.NONE ? Optional.empty() : Optional.of(preview(readSmall(home.jcInputFile())));
        return true;
    }

    private List<String> sessions() {
        TreeSet<String> ids = new TreeSet<>(configuredSessions);
        status.ifPresent(st -> st.sessions().forEach(ss -> ids.add(ss.id())));
        for (Path p : subdirectories(home.dispatchRoot())) {
            String name = p.getFileName().toString();
            if (SessionId.isValid(name)) {
                ids.add(name);
            }
        }
        queue.stream().map(QueuedItem::session).filter(SessionId::isValid).forEach(ids::add);
        List<String> out = new ArrayList<>(configuredSessions);
        ids.stream().filter(id -> !configuredSessions.contains(id)).forEach(out::add);
        return out;
    }

    /** The subdirectories of a root (outbox, dispatch), listed again only when the root's stamp moved. */
    private Collection<Path> subdirectories(Path root) {
        Stamp s = Stamp.of(root);
        if (s.equals(rootStamps.get(root)) && subdirCache.containsKey(root)) {
            return subdirCache.get(root);
        }
        rootStamps.put(root, s);
        List<Path> out = listSubdirectories(root);
        subdirCache.put(root, out);
        return out;
    }

    private static List<Path> listSubdirectories(Path root) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(root, Files::isDirectory)) {
            stream.forEach(out::add);
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static String readSmall(Path file) {
        try (var in = Files.newInputStream(file)) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String preview(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= PREVIEW_CHARS ? flat : flat.substring(0, PREVIEW_CHARS - 1) + "…";
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A file's or directory's identity for change detection: modification time, size and file key. */
    private record Stamp(long mtimeNanos, long size, Object key) {
        static final Stamp NONE = new Stamp(-1, -1, null);

        static Stamp of(Path p) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                return new Stamp(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.size(),
                        a.fileKey());
            } catch (NoSuchFileException e) {
                return NONE;
            } catch (IOException e) {
                return NONE;
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stamp s && s.mtimeNanos == mtimeNanos && s.size == size && Objects.equals(s.key, key);
        }

        @Override
        public int hashCode() {
            return Objects.hash(mtimeNanos, size, key);
        }
    }
}
