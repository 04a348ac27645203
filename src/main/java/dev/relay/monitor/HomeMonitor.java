package dev.relay.monitor;

import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.inbox.Inbox;
import dev.relay.monitor.HomeSnapshot.LogLine;
import dev.relay.monitor.HomeSnapshot.QueuedItem;
import dev.relay.state.RelayState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a home's files, one watcher per source (status.json, the conversation journal, the relay log, queue/ and
 * the outboxes, agents.json and the followed agent's log, the pending override, the inbox), and publishes a
 * {@link HomeSnapshot} whenever something changed. Cheap when nothing happens: a poll is a handful of stat calls,
 * and files are read only when their size or modification time moved.
 */
public final class HomeMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HomeMonitor.class);
    /** How often an idle console looks at the files (quicker for five seconds after anything changed). */
    public static final Duration IDLE_INTERVAL = Duration.ofMillis(500);
    public static final int MAX_TURNS = 1000;
    public static final int MAX_LOG_LINES = 2000;
    public static final int MAX_QUEUE_ITEMS = 200;
    public static final int MAX_REJECTED = 50;

    private final Home home;
    private final Clock clock;
    private final List<String> configuredSessions;
    private final Duration interval;
    private final StatusWatch status;
    private final LineTail<Turn> conversation;
    private final LineTail<LogLine> log;
    private final QueueView queue;
    private final AgentsWatch agents;
    private final Inbox inbox;

    private Stamp overrideStamp = Stamp.NONE;
    private Optional<String> pendingOverride = Optional.empty();
    private Stamp inboxStamp = Stamp.NONE;
    private Inbox.Data inboxData = new Inbox.Data();
    private long version;
    private Instant lastAgeTick = Instant.EPOCH;
    private volatile long lastChangeNanos;

    private final AtomicReference<HomeSnapshot> latest;
    private volatile boolean running;
    private Thread thread;

    public HomeMonitor(Home home, List<String> configuredSessions, long maxEnvelopeBytes, Clock clock, Duration interval) {
        this.home = home;
        this.clock = clock;
        this.configuredSessions = List.copyOf(configuredSessions);
        this.interval = interval;
        this.status = new StatusWatch(home.statusFile());
        this.conversation = new LineTail<>(new Tail(home.conversationFile(), 4 << 20), MAX_TURNS,
                LineTail.OnReset.CLEAR, ConversationStore::parseLine);
        this.log = new LineTail<>(new Tail(home.logFile(), 512 << 10), MAX_LOG_LINES,
                LineTail.OnReset.CLEAR_UNLESS_EMPTY, line -> Optional.of(new LogLine(line, isProblem(line))));
        this.queue = new QueueView(home, maxEnvelopeBytes, clock, MAX_QUEUE_ITEMS, MAX_REJECTED);
        this.agents = new AgentsWatch(home, MAX_LOG_LINES);
        this.inbox = new Inbox(home.inboxFile(), clock);
        this.latest = new AtomicReference<>(HomeSnapshot.empty(clock.instant()));
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

    /** Follows one agent's output (one stream at a time: following another cancels the first), or none. */
    public void follow(Optional<String> slug) {
        agents.follow(slug);
        poke();
    }

    /** Looks at the files once; returns whether a new snapshot was published. */
    public synchronized boolean poll() {
        Instant now = clock.instant();
        boolean changed = status.poll(now);
        changed |= conversation.poll().changed();
        changed |= log.poll().changed();
        changed |= queue.poll();
        changed |= pollOverride();
        changed |= agents.poll();
        changed |= pollInbox();
        // ages move with time: a new snapshot once a second while something shown ages by the second (an envelope
        // waiting, a needs_jc pause), else every ten seconds ("reported 3m ago")
        boolean ticking = queue.queueTotal() > 0 || !queue.waiting().isEmpty()
                || status.status().map(st -> st.state() == RelayState.NEEDS_JC).orElse(false);
        long tick = ticking ? 1000 : 10_000;
        if (!changed && Duration.between(lastAgeTick, now).toMillis() < tick) {
            return false;
        }
        lastAgeTick = now;
        if (changed) {
            lastChangeNanos = System.nanoTime();
        }
        version++;
        latest.set(new HomeSnapshot(version, now, status.status(), status.live(), queue.queue(), queue.queueTotal(),
                queue.rejected(), queue.rejectedTotal(), queue.waiting(), conversation.lines(), log.lines(), sessions(),
                pendingOverride, agents.states(), agents.followedLog(), agents.runtimeProblem(), inboxData));
        return true;
    }

    /** relay.log's pattern is "<timestamp> LEVEL [thread] ..."; continuation lines (stack traces) start with a tab. */
    private static boolean isProblem(String line) {
        int sp = line.indexOf(' ');
        if (sp > 0 && line.length() > sp + 5) {
            String level = line.substring(sp + 1, Math.min(line.length(), sp + 6)).trim();
            return level.equals("WARN") || level.equals("ERROR");
        }
        return line.startsWith("\t") || line.startsWith("Caused by");
    }

    private boolean pollOverride() {
        Stamp s = Stamp.of(home.jcInputFile());
        if (s.equals(overrideStamp)) {
            return false;
        }
        overrideStamp = s;
        pendingOverride = s == Stamp.NONE ? Optional.empty() : Optional.of(Previews.ofFile(home.jcInputFile()));
        return true;
    }

    /** The inbox is replaced atomically, so it is read without its lock: one whole version, or none (an empty inbox). */
    private boolean pollInbox() {
        Stamp s = Stamp.of(home.inboxFile());
        if (s.equals(inboxStamp)) {
            return false;
        }
        inboxStamp = s;
        inboxData = inbox.read();
        return true;
    }

    /** Configured sessions first, then those the status, dispatch/ and queue/ name, in id order. */
    private List<String> sessions() {
        TreeSet<String> ids = new TreeSet<>(configuredSessions);
        status.status().ifPresent(st -> st.sessions().forEach(ss -> ids.add(ss.id())));
        ids.addAll(queue.dispatchSessions());
        queue.queue().stream().map(QueuedItem::session).filter(SessionId::isValid).forEach(ids::add);
        List<String> out = new ArrayList<>(configuredSessions);
        ids.stream().filter(id -> !configuredSessions.contains(id)).forEach(out::add);
        return out;
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
}
