package dev.relay.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.anthropic.CacheTtl;
import dev.relay.anthropic.Coordinator;
import dev.relay.anthropic.CoordinatorException;
import dev.relay.anthropic.CoordinatorReply;
import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.config.Price;
import dev.relay.config.Settings;
import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import dev.relay.core.Home;
import dev.relay.core.Keys;
import dev.relay.core.SessionId;
import dev.relay.claude.SessionFailures;
import dev.relay.claude.SessionRecord;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.files.Confined;
import dev.relay.files.IoCause;
import dev.relay.notify.Notification;
import dev.relay.notify.Notifier;
import dev.relay.queue.QueueDirectory;
import dev.relay.queue.QueueIndex;
import dev.relay.queue.QueuedEnvelope;
import dev.relay.queue.Rejection;
import dev.relay.state.ControlFiles;
import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import dev.relay.state.TakenIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay loop (CONTRACT section 4) on one named thread. Each step is a series of durable, idempotent changes
 * keyed by the work item's key, so that a restart after a crash at any point resumes at the first missing step:
 * user turn appended, API called (at least once), reply appended, reply queued in the outbox, id recorded, item
 * file removed. API calls run on their own thread and report back, so intake, dispatch, pause and the heartbeat
 * never wait for the coordinator.
 */
public final class RelayLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayLoop.class);
    private static final Pattern DIRECT = Pattern.compile("@([A-Za-z0-9][A-Za-z0-9_-]{0,63}):[ \\t]*(.*)", Pattern.DOTALL);
    private static final Duration RETRY_BASE = Duration.ofSeconds(1);
    private static final Duration RETRY_CAP = Duration.ofSeconds(60);
    private static final Duration BACKOFF_CAP = Duration.ofMinutes(5);
    private static final int FAILURES_BEFORE_BACKOFF = 3;
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration STATUS_MIN_INTERVAL = Duration.ofMillis(200);
    private static final Duration RESCAN = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Home home;
    private final Clock clock;
    private final Function<Settings, Optional<Coordinator>> coordinators;
    private final Function<Settings, Settings> secretsReloader;
    private final Notifier notifier;
    private final Function<SessionId, DispatchTarget> targets;

    private final QueueDirectory queue;
    private final QueueIndex queueIndex;
    private final Outbox outbox;
    private final ControlFiles control;
    private final StatusFile statusFile;
    private final Path operatorDir;
    private final Path pauseFile;
    private final CachePlanner cachePlanner = new CachePlanner();
    private final List<Consumer<RelayEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Status> snapshot = new AtomicReference<>();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ExecutorService api = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "relay-api");
        t.setDaemon(true);
        return t;
    });

    private Settings settings;
    private Optional<Coordinator> coordinator;
    private ConversationStore conversation;
    private TakenIds takenIds;
    private WatchService watcher;
    private Thread loopThread;
    private Thread watchThread;
    private volatile boolean running;

    private RelayState pauseState = RelayState.RUNNING;
    private Instant pauseSince = Instant.EPOCH;
    private String lastNeedsJcAt;
    private String lastNeedsJcText;
    private WorkItem openItem;
    /** The id of the coordinator call in flight, 0 when none; a result answers only the call it belongs to. */
    private long inFlight;
    private long lastCallId;
    /** Answered turns whose remaining file steps are not all done yet, oldest first (see {@link TurnStep}). */
    private final java.util.ArrayDeque<Finish> finishing = new java.util.ArrayDeque<>();
    /** A reply (or summary) the coordinator gave that could not be recorded yet: recorded again, never asked again. */
    private ApiDone unrecorded;
    private BiConsumer<TurnStep, String> faults = (step, key) -> {};
    private final RepeatedWarning ioWarning = new RepeatedWarning(LOG);
    private int ioFailures;
    private Instant ioRetryAt = Instant.MIN;
    private String ioCause;
    private boolean ioFailedThisRound;
    private boolean ioNotified;
    private boolean pauseFileDirty;
    private Instant nextStatusAttempt = Instant.MIN;
    private final Map<SessionId, Blocked> blocked = new HashMap<>();
    private Instant nextAttemptAt = Instant.MIN;
    private int attempts;
    private int consecutiveFailures;
    private String holdReason;
    private String retryDetail;
    private String lastError;
    private Instant lastDispatchAt;
    private SessionId lastDispatchSession;
    private Instant lastStuckAlert = Instant.MIN;
    private double lastTurnCost;
    private CacheTtl lastTtl = CacheTtl.FIVE_MINUTES;
    private Instant startedAt;
    private Instant lastStatusWrite = Instant.MIN;
    private Instant lastRescan = Instant.MIN;
    private Instant lastSecretsReload = Instant.MIN;
    private boolean statusDirty = true;
    private boolean statusUrgent;
    private final Set<Path> watchedDispatchDirs = new HashSet<>();
    private final Map<SessionId, Instant> lastReportAt = new HashMap<>();
    private final Map<SessionId, Instant> lastDispatchBySession = new HashMap<>();
    private final Set<String> reportedProblems = new HashSet<>();

    /** Wakes the loop: a file changed somewhere it watches, or a command arrived. */
    private record Wake() {}

    /** Names that changed in one watched directory; {@code overflow} when the kernel dropped events. */
    private record FsChange(Path dir, List<Path> names, boolean overflow) {}

    private record ApiDone(long call, WorkItem item, boolean summary, CoordinatorReply reply, CoordinatorException failure,
                           RuntimeException crash, Instant startedAt) {}

    /** An answered turn on its way out: the reply to hold and release (none for a needs_jc reply), the item to remove. */
    private record Finish(WorkItem item, String text, Optional<SessionId> to, boolean direct) {}

    /** A session whose replies cannot be handed over: they wait, and the hand-over is tried again at {@code retryAt}. */
    private record Blocked(String cause, Instant since, int failures, Instant retryAt) {}

    private static final Duration IO_RETRY_BASE = Duration.ofMillis(250);
    private static final Duration IO_RETRY_CAP = Duration.ofSeconds(10);
    private static final Duration BLOCKED_RETRY_CAP = Duration.ofSeconds(60);
    private static final int IO_FAILURES_BEFORE_NOTICE = 3;

    /**
     * @param coordinators     makes the coordinator client from the settings; empty when no API key is set
     * @param secretsReloader  re-reads secrets (from .env and the environment) when the operator resumes
     * @param targets          where replies for a session go
     */
    public RelayLoop(Settings settings, Clock clock, Function<Settings, Optional<Coordinator>> coordinators,
                     Function<Settings, Settings> secretsReloader, Notifier notifier,
                     Function<SessionId, DispatchTarget> targets) {
        this.settings = settings;
        this.home = settings.home();
        this.clock = clock;
        this.coordinators = coordinators;
        this.secretsReloader = secretsReloader;
        this.notifier = notifier;
        this.targets = targets;
        this.queue = new QueueDirectory(home.queueDir(), settings.maxEnvelopeBytes(), clock);
        this.queueIndex = new QueueIndex(queue);
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.control = new ControlFiles(home.controlDir());
        this.statusFile = new StatusFile(home.statusFile());
        this.operatorDir = home.stateDir().resolve("operator");
        this.pauseFile = home.stateDir().resolve("pause.json");
    }

    public void addListener(Consumer<RelayEvent> listener) {
        listeners.add(listener);
    }

    /** The latest status, as written to status.json. */
    public Status snapshot() {
        return snapshot.get();
    }

    /** Opens the home's files, recovers from any crash, and starts the loop thread. */
    public void start() {
        for (Path dir : List.of(home.queueDir(), home.stateDir(), home.controlDir(), operatorDir, home.outboxRoot(),
                home.dispatchRoot())) {
            AtomicFiles.ensurePrivateDirectory(dir);
        }
        startedAt = clock.instant();
        ConversationStore.Opened opened = ConversationStore.open(home.conversationFile());
        conversation = opened.store();
        opened.damage().ifPresent(d -> problem(d));
        takenIds = new TakenIds(home.takenIdsFile());
        loadPauseState();
        coordinator = coordinators.apply(settings);
        try {
            watcher = home.queueDir().getFileSystem().newWatchService();
            register(home.queueDir());
            register(home.stateDir());
            register(home.controlDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + home.root() + ": " + e.getMessage(), e);
        }
        running = true;
        watchThread = new Thread(this::watch, "relay-watch");
        watchThread.setDaemon(true);
        watchThread.start();
        loopThread = new Thread(this::run, "relay-loop");
        loopThread.start();
        LOG.info("relay started on {} (model {}, {} configured session{})", home.root(), settings.model(),
                settings.sessions().size(), settings.sessions().size() == 1 ? "" : "s");
    }

    /** Stops after the current step; an API call in flight is abandoned and repeated at the next start. */
    public void close() {
        running = false;
        inbox.add(new Wake());
        if (loopThread != null) {
            try {
                loopThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        api.shutdownNow();
        try {
            if (watcher != null) {
                watcher.close();
            }
        } catch (IOException ignored) {
            // closing on the way out
        }
        if (conversation != null) {
            conversation.close();
        }
        if (takenIds != null) {
            takenIds.close();
        }
    }

    public void awaitTermination() throws InterruptedException {
        loopThread.join();
    }

    private void watch() {
        try {
            while (running) {
                var key = watcher.take();
                List<Path> names = new ArrayList<>();
                boolean overflow = false;
                for (var event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        overflow = true;
                    } else if (event.context() instanceof Path name) {
                        names.add(name);
                    }
                }
                key.reset();
                inbox.offer(new FsChange((Path) key.watchable(), names, overflow));
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // the loop is closing
        }
    }

    private void register(Path dir) throws IOException {
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
    }

    private void run() {
        try {
            recoverFinishedItems();
            recoverOpenTurn();
        } catch (RuntimeException e) {
            LOG.error("recovery after a restart failed; going on", e);
            lastError = "recovery failed: " + IoCause.of(e);
        }
        while (running) {
            ioFailedThisRound = false;
            boolean stepped = false;
            try {
                stepped = step();
            } catch (RuntimeException e) {
                ioFailure("a relay step failed", e);
            }
            writeStatusIfDue();
            if (stepped && !ioFailedThisRound && ioFailures > 0) {
                ioRecovered();
            }
            try {
                Object signal = inbox.poll(pollTimeout().toMillis(), TimeUnit.MILLISECONDS);
                while (signal != null) {
                    if (signal instanceof ApiDone done) {
                        onApiDone(done);
                    } else if (signal instanceof FsChange change && change.dir().equals(home.queueDir())) {
                        if (change.overflow()) {
                            lastRescan = Instant.MIN;
                        }
                        change.names().forEach(name -> queueIndex.changed(home.queueDir().resolve(name)));
                    }
                    signal = inbox.poll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (RuntimeException e) {
                // the call's result is kept (unrecorded) or its turn retried; the call in flight, if any, stays so
                ioFailure("handling the coordinator's answer failed", e);
            }
        }
        try {
            writeStatus();
        } catch (RuntimeException e) {
            LOG.warn("cannot write {} on the way out: {}", home.statusFile(), IoCause.of(e));
        }
        LOG.info("relay loop stopped");
    }

    private Duration pollTimeout() {
        Instant now = clock.instant();
        Instant wake = now.plus(RESCAN);
        if (ioRetryAt.isAfter(now)) {
            wake = earliest(wake, ioRetryAt);
        } else if (openItem != null && inFlight == 0 && nextAttemptAt.isAfter(now)) {
            wake = earliest(wake, nextAttemptAt);
        }
        for (Blocked b : blocked.values()) {
            wake = earliest(wake, b.retryAt());
        }
        if (statusDirty || statusUrgent) {
            Instant due = statusUrgent ? now : lastStatusWrite.plus(STATUS_MIN_INTERVAL);
            wake = earliest(wake, due.isBefore(nextStatusAttempt) ? nextStatusAttempt : due);
        }
        Duration until = Duration.between(now, wake);
        return until.isNegative() ? Duration.ZERO : until;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    // ---------------------------------------------------------------- faults

    /**
     * Something the loop had to do failed (a full disk, a directory made read-only): what was done stays done, what
     * was not is done again after a bounded, growing pause; the failure is logged once with a count, shown in the
     * status, and notified once if it lasts.
     */
    private void ioFailure(String what, RuntimeException e) {
        Instant now = clock.instant();
        ioFailedThisRound = true;
        ioFailures++;
        String detail = detail(e);
        ioCause = what + ": " + detail;
        lastError = ioCause;
        statusDirty = true;
        long backoff = Math.min(IO_RETRY_CAP.toMillis(), IO_RETRY_BASE.toMillis() << Math.min(ioFailures - 1, 16));
        ioRetryAt = now.plusMillis(backoff);
        ioWarning.warn(ioCause, e, now);
        if (ioFailures == 1) {
            emit(new RelayEvent.Problem(ioCause));
        }
        if (ioFailures == IO_FAILURES_BEFORE_NOTICE && !ioNotified) {
            ioNotified = true;
            setError("cannot write its files: " + detail + " (retrying; nothing is lost)");
            notify(new Notification("Relay cannot write its files", detail + ". The relay retries with a pause and "
                    + "loses nothing; free the disk or fix the permissions.", Notification.HIGH, List.of("warning")));
        }
    }

    /** The failure's message with its cause in the system's words, once. */
    private static String detail(RuntimeException e) {
        String cause = IoCause.of(e);
        String message = e.getMessage();
        return message == null || message.isBlank() ? cause : message.contains(cause) ? message : message + ": " + cause;
    }

    private void ioRecovered() {
        Instant now = clock.instant();
        ioWarning.cleared("the relay writes its files", now);
        if (ioNotified) {
            notify(new Notification("Relay writes its files again", "after " + ioFailures + " failures: " + ioCause,
                    Notification.DEFAULT, List.of("white_check_mark")));
            emit(new RelayEvent.StateChanged(effectiveState(), "the relay writes its files again"));
        }
        ioFailures = 0;
        ioCause = null;
        ioNotified = false;
        ioRetryAt = Instant.MIN;
        statusDirty = true;
        statusUrgent = true;
    }

    /** Test seam: {@code before} runs before each durable step of a turn and may throw to simulate a failure there. */
    void injectFaults(BiConsumer<TurnStep, String> before) {
        this.faults = before;
    }

    private void reach(TurnStep step, String key) {
        faults.accept(step, key);
    }

    // ---------------------------------------------------------------- the step

    /** One round of the loop's work; false when it was skipped, pausing after an I/O failure. */
    private boolean step() {
        Instant now = clock.instant();
        if (now.isBefore(ioRetryAt)) {
            return false;
        }
        if (Duration.between(lastRescan, now).compareTo(RESCAN) >= 0 || now.isBefore(lastRescan)) {
            queueIndex.rescan(); // the safety net under the directory watch
            lastRescan = now;
        }
        if (pauseFileDirty) {
            writePauseFile();
        }
        takeControlCommands();
        advanceFinishing();   // turns an error left half-finished resume at their first missing step
        if (unrecorded != null) {
            record(unrecorded);
        }
        pumpOutbox();
        takeOperatorInput();
        screenNewEnvelopes();
        if (coordinator.isEmpty() && Duration.between(lastSecretsReload, now).compareTo(Duration.ofSeconds(10)) >= 0) {
            reloadSecrets();
        }
        if (inFlight != 0 || unrecorded != null || !finishing.isEmpty()) {
            return true;   // a session's replies keep their order: nothing new starts before the last turn is out
        }
        if (openItem != null) {
            if (!Files.exists(openItem.file())) {
                problem("the " + describe(openItem) + " of the unanswered turn was removed by someone else; the turn is abandoned");
                openItem = null;
            } else if (!nextAttemptAt.isAfter(now) && holdReason == null) {
                beginCall(openItem);
            }
            return true;
        }
        checkStuck(now);
        nextWork().ifPresent(this::startTurn);
        return true;
    }

    private boolean isFinishing(Path file) {
        for (Finish f : finishing) {
            if (f.item().file().equals(file)) {
                return true;
            }
        }
        return false;
    }

    /** The next work item: the operator's messages first, then (unless paused) the oldest envelope. */
    private Optional<WorkItem> nextWork() {
        Optional<WorkItem> operatorItem = nextOperatorItem();
        if (operatorItem.isPresent() || pauseState != RelayState.RUNNING) {
            return operatorItem;
        }
        for (QueueDirectory.Entry entry : queueIndex.entries()) {
            if (isFinishing(entry.file())) {
                continue;
            }
            Optional<WorkItem> item = accept(entry);
            if (item.isPresent()) {
                return item;
            }
            queueIndex.forget(entry.file());
        }
        return Optional.empty();
    }

    /**
     * A bad envelope is rejected when it arrives, not only when its turn would come: while the relay is paused or
     * busy, the agent that wrote it (and the operator) learn at once why it will never be taken.
     */
    private void screenNewEnvelopes() {
        for (QueueDirectory.Entry entry : queueIndex.takeFresh()) {
            if (queue.read(entry) instanceof QueueDirectory.ReadResult.Invalid invalid) {
                reject(entry.file(), invalid.reason());
                queueIndex.forget(entry.file());
            }
        }
    }

    /** Validates one envelope; bad ones go to .rejected, duplicates of a taken id too. */
    private Optional<WorkItem> accept(QueueDirectory.Entry entry) {
        QueueDirectory.ReadResult result = queue.read(entry);
        if (result instanceof QueueDirectory.ReadResult.Invalid invalid) {
            reject(entry.file(), invalid.reason());
            return Optional.empty();
        }
        if (!(result instanceof QueueDirectory.ReadResult.Valid valid)) {
            return Optional.empty();
        }
        QueuedEnvelope env = valid.envelope();
        boolean hasId = env.envelope().id().isPresent();
        if (hasId && takenIds.contains(env.key())) {
            reject(entry.file(), "id \"" + env.envelope().id().get() + "\" of session " + env.envelope().session()
                    + " was already taken; an id is taken once");
            return Optional.empty();
        }
        if (conversation.assistantTurn(env.key()).isPresent()) {
            reject(entry.file(), "this very envelope was already answered");
            return Optional.empty();
        }
        SessionId session = env.envelope().session();
        lastReportAt.put(session, env.modifiedAt());
        return Optional.of(itemOf(env));
    }

    private static WorkItem itemOf(QueuedEnvelope env) {
        SessionId session = env.envelope().session();
        return new WorkItem(env.file(), env.key(), session.value(), env.envelope().content(), Optional.of(session),
                env.envelope().id().isPresent());
    }

    private void reject(Path file, String reason) {
        Rejection r = queue.reject(file, reason);
        LOG.warn("rejected {}: {} (moved to {})", r.name(), r.reason(), home.root().relativize(r.movedTo()));
        statusDirty = true;
        emit(new RelayEvent.EnvelopeRejected(r));
    }

    // ---------------------------------------------------------------- operator input

    /** Moves jc_input.txt into state/operator/ at once, so that it is taken exactly once whatever happens next. */
    private void takeOperatorInput() {
        Path input = home.jcInputFile();
        if (!Files.exists(input)) {
            return;
        }
        String text;
        try {
            text = Files.readString(input, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return; // being replaced; the next step reads it
        }
        if (text.isBlank()) {
            AtomicFiles.delete(input);
            problem("state/jc_input.txt was empty: nothing to send, removed");
            return;
        }
        String name = String.format("%013d-%s.txt", clock.millis(), Keys.digest(text, Long.toString(System.nanoTime())));
        AtomicFiles.move(input, operatorDir.resolve(name));
        if (pauseState == RelayState.NEEDS_JC) {
            setPause(RelayState.RUNNING, "the operator answered");
        }
        LOG.info("operator input taken ({} characters)", text.length());
    }

    /** The oldest operator message; direct dispatches are done here, since they need no API call. */
    private Optional<WorkItem> nextOperatorItem() {
        for (Path file : operatorFiles()) {
            if (isFinishing(file)) {
                continue;
            }
            String text = readOperatorFile(file);
            String key = operatorKey(file);
            Matcher direct = DIRECT.matcher(text);
            if (direct.matches()) {
                SessionId session = SessionId.of(direct.group(1));
                String message = direct.group(2).strip();
                WorkItem item = new WorkItem(file, key, Turn.OPERATOR, message, Optional.of(session), false);
                if (message.isEmpty()) {
                    problem("@" + session + ": had no message after the colon; nothing sent");
                    finishing.add(new Finish(item, "", Optional.empty(), true));
                } else {
                    LOG.info("operator message dispatched directly to {}", session);
                    emit(new RelayEvent.TurnRecorded(Turn.user(Turn.OPERATOR, "@" + session + ": " + message, key, clock.instant())));
                    finishing.add(new Finish(item, message, Optional.of(session), true));
                }
                statusDirty = true;
                advanceFinishing();
                pumpOutbox();
                if (!finishing.isEmpty()) {
                    return Optional.empty();   // the rest waits, in order, until this one is out
                }
                continue;
            }
            Optional<SessionId> replyTo = settings.firstSession().map(s -> s.id());
            return Optional.of(new WorkItem(file, key, Turn.OPERATOR, text.strip(), replyTo, false));
        }
        return Optional.empty();
    }

    private List<Path> operatorFiles() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(operatorDir, "[0-9]*.txt")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + operatorDir, e);
        }
        files.sort(null);
        return files;
    }

    private static String operatorKey(Path file) {
        return Outbox.OPERATOR_KEY_PREFIX + file.getFileName();
    }

    private static String readOperatorFile(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    // ---------------------------------------------------------------- turns

    /**
     * Finishes the answered turns whose envelope (or operator message) is still there after a restart, then releases
     * the held replies whose work is gone. A reply is held until its item is removed, so one still held was never
     * delivered, and an item still there was never answered to its session: nothing is lost, nothing sent twice.
     * Direct dispatches need nothing here: holding their reply again is a no-op, so their normal path finishes them.
     */
    private void recoverFinishedItems() {
        for (Path file : operatorFiles()) {
            String key = operatorKey(file);
            String text = readOperatorFile(file);
            if (DIRECT.matcher(text).matches()) {
                continue;
            }
            Optional<Turn> answered = conversation.assistantTurn(key);
            if (answered.isPresent()) {
                LOG.info("the operator's message {} was answered before a restart; finishing its turn", file.getFileName());
                finishTurn(new WorkItem(file, key, Turn.OPERATOR, text.strip(), settings.firstSession().map(s -> s.id()), false),
                        answered.get());
            }
        }
        for (QueueDirectory.Entry entry : queue.list()) {
            if (queue.read(entry) instanceof QueueDirectory.ReadResult.Valid v) {
                Optional<Turn> answered = conversation.assistantTurn(v.envelope().key());
                if (answered.isPresent()) {
                    LOG.info("envelope {} was answered before a restart; finishing its turn", entry.name());
                    finishTurn(itemOf(v.envelope()), answered.get());
                }
            }
        }
        Set<String> keep = new HashSet<>();
        finishing.forEach(f -> keep.add(Keys.digest(f.item().key())));
        int released = outbox.releaseAllBut(keep);
        if (released > 0) {
            LOG.info("{} repl{} held when the relay stopped released to their sessions", released, released == 1 ? "y" : "ies");
        }
    }

    private void recoverOpenTurn() {
        List<Turn> turns = conversation.turns();
        if (turns.isEmpty()) {
            return;
        }
        Turn last = turns.get(turns.size() - 1);
        if (last.role() != Turn.Role.USER || last.key().isEmpty()) {
            return;
        }
        Optional<WorkItem> item = Optional.empty();
        if (last.key().startsWith(Outbox.OPERATOR_KEY_PREFIX)) {
            Path file = operatorDir.resolve(last.key().substring(3));
            if (Files.exists(file)) {
                item = Optional.of(new WorkItem(file, last.key(), Turn.OPERATOR, last.content(),
                        settings.firstSession().map(s -> s.id()), false));
            }
        } else {
            for (QueueDirectory.Entry entry : queue.list()) {
                if (queue.read(entry) instanceof QueueDirectory.ReadResult.Valid v && v.envelope().key().equals(last.key())) {
                    item = Optional.of(itemOf(v.envelope()));
                    break;
                }
            }
        }
        item.ifPresent(i -> {
            LOG.info("resuming the unanswered turn of {} after a restart", describe(i));
            openItem = i;
        });
    }

    private void startTurn(WorkItem item) {
        if (!conversation.hasUserTurn(item.key())) {
            Turn user = Turn.user(item.speaker(), item.content(), item.key(), clock.instant());
            reach(TurnStep.USER_RECORDED, item.key());
            conversation.append(user);
            emit(new RelayEvent.TurnRecorded(user));
        }
        openItem = item;
        attempts = 0;
        statusDirty = true;
        if (holdReason == null) {
            beginCall(item);
        }
    }

    private void beginCall(WorkItem item) {
        if (coordinator.isEmpty()) {
            holdReason = "ANTHROPIC_API_KEY is not set: add it to " + home.envFile() + " (or the environment), then run `relay resume`";
            setError(holdReason);
            return;
        }
        Coordinator c = coordinator.get();
        boolean summarize = needsSummary();
        CoordinatorRequest request = summarize ? summaryRequest() : replyRequest();
        Instant started = clock.instant();
        if (!summarize) {
            cachePlanner.recordCall(started);
        }
        long call = ++lastCallId;
        inFlight = call;
        statusDirty = true;
        CompletableFuture.runAsync(() -> {
            try {
                inbox.add(new ApiDone(call, item, summarize, c.complete(request), null, null, started));
            } catch (CoordinatorException e) {
                inbox.add(new ApiDone(call, item, summarize, null, e, null, started));
            } catch (RuntimeException e) {
                inbox.add(new ApiDone(call, item, summarize, null, null, e, started));
            }
        }, api);
    }

    private boolean needsSummary() {
        List<Turn> turns = conversation.turns();
        return conversation.chars() > settings.historyCharCap() && turns.size() > settings.keepRecentTurns() + 1;
    }

    private CoordinatorRequest replyRequest() {
        List<Turn> turns = conversation.turns();
        List<String> texts = conversation.promptTexts();
        List<CoordinatorRequest.Message> messages = new ArrayList<>(turns.size());
        for (int i = 0; i < turns.size(); i++) {
            messages.add(new CoordinatorRequest.Message(turns.get(i).role() == Turn.Role.ASSISTANT
                    ? CoordinatorRequest.Role.ASSISTANT : CoordinatorRequest.Role.USER, texts.get(i)));
        }
        long fresh = texts.isEmpty() ? 0 : texts.get(texts.size() - 1).length();
        long cached = conversation.chars() - fresh;
        Price price = priceOf(settings.model());
        lastTtl = settings.cacheHistory()
                ? cachePlanner.choose(price, (cached + settings.systemPrompt().length()) / 4, fresh / 4)
                : CacheTtl.NONE;
        return new CoordinatorRequest(settings.model(), settings.maxTokens(), settings.systemPrompt(), messages, lastTtl);
    }

    private CoordinatorRequest summaryRequest() {
        List<Turn> turns = conversation.turns();
        int keep = Math.max(1, settings.keepRecentTurns());
        StringBuilder transcript = new StringBuilder();
        for (Turn t : turns.subList(0, turns.size() - keep)) {
            transcript.append(t.role() == Turn.Role.ASSISTANT ? "[coordinator] " : "").append(t.promptText()).append("\n\n");
        }
        return new CoordinatorRequest(settings.model(), Math.min(settings.maxTokens(), 4096), settings.summarizationPrompt(),
                List.of(new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, transcript.toString())), CacheTtl.NONE);
    }

    private void onApiDone(ApiDone done) {
        if (done.call() != inFlight) {
            LOG.warn("a coordinator result for a call no longer in flight was dropped ({})", describe(done.item()));
            return;
        }
        inFlight = 0;
        statusDirty = true;
        if (!running) {
            return;
        }
        if (done.failure() != null || done.crash() != null) {
            onApiFailure(done);
            return;
        }
        consecutiveFailures = 0;
        retryDetail = null;
        if (pauseState == RelayState.ERROR) {
            pauseState = RelayState.RUNNING;
        }
        record(done);
    }

    /**
     * Records what the coordinator answered and finishes its turn. When the history cannot be written, the answer is
     * kept and recorded again (by the next steps), never asked for again: one call, one assistant turn.
     */
    private void record(ApiDone done) {
        unrecorded = done;
        Usage usage = usageOf(done.reply());
        if (done.summary()) {
            applySummary(done.reply().text(), usage);
            unrecorded = null;
            beginCall(done.item());
            return;
        }
        String key = done.item().key();
        Optional<Turn> recorded = conversation.assistantTurn(key);
        Turn assistant;
        if (recorded.isPresent()) {
            assistant = recorded.get();
        } else {
            String text = done.reply().text();
            if (text.isBlank()) {
                LOG.warn("the coordinator's reply to {} is empty (stop reason {})", describe(done.item()), done.reply().stopReason());
            }
            assistant = Turn.assistant(text, key, clock.instant(), usage);
            reach(TurnStep.REPLY_RECORDED, key);
            conversation.append(assistant);
            emit(new RelayEvent.TurnRecorded(assistant));
            LOG.info("turn for {} answered in {} ms ({} in, {} cached, {} out, ${})", describe(done.item()),
                    Duration.between(done.startedAt(), clock.instant()).toMillis(), usage.inputTokens(),
                    usage.cacheReadTokens(), usage.outputTokens(), String.format("%.4f", usage.costUsd()));
        }
        unrecorded = null;
        lastTurnCost = usage.costUsd();
        openItem = null;
        attempts = 0;
        boolean needsJc = needsJc(assistant.content());
        finishing.add(finishOf(done.item(), assistant));
        // With the reply durable, the next turn may start at once: its API call overlaps this item's remaining
        // file work (outbox, removal, delivery), whose order within the item is unchanged.
        if (!needsJc && holdReason == null) {
            try {
                nextWork().ifPresent(this::startTurn);
            } catch (RuntimeException e) {
                ioFailure("starting the next turn failed", e);
            }
        }
        if (needsJc) {
            askForJc(assistant.content());
        }
        advanceFinishing();
        pumpOutbox();
    }

    private boolean needsJc(String reply) {
        String head = reply.strip();
        head = head.substring(0, Math.min(head.length(), settings.needsJcScanChars()));
        return head.contains(settings.needsJcToken());
    }

    private void applySummary(String summary, Usage usage) {
        List<Turn> turns = conversation.turns();
        int keep = Math.max(1, settings.keepRecentTurns());
        List<Turn> old = turns.subList(0, turns.size() - keep);
        Usage carried = usage;
        for (Turn t : old) {
            carried = carried.plus(t.usage());
        }
        List<Turn> compacted = new ArrayList<>();
        compacted.add(new Turn(Turn.Role.SUMMARY, "", summary, "", clock.instant(), carried));
        compacted.addAll(turns.subList(turns.size() - keep, turns.size()));
        long before = conversation.chars();
        int replaced = old.size();
        conversation.replaceAll(compacted);
        LOG.info("history summarized: {} turns replaced, {} -> {} characters", replaced, before, conversation.chars());
        emit(new RelayEvent.HistorySummarized(replaced, before, conversation.chars()));
    }

    /** Finishes an answered turn: its reply held, its id recorded, its item removed, its reply released. */
    private void finishTurn(WorkItem item, Turn reply) {
        finishing.add(finishOf(item, reply));
        if (needsJc(reply.content())) {
            askForJc(reply.content());
        }
        advanceFinishing();
        pumpOutbox();
    }

    private Finish finishOf(WorkItem item, Turn reply) {
        String text = reply.content();
        boolean sends = !needsJc(text) && item.replyTo().isPresent() && !text.isBlank();
        return new Finish(item, text, sends ? item.replyTo() : Optional.empty(), false);
    }

    private void askForJc(String text) {
        lastNeedsJcAt = clock.instant().toString();
        lastNeedsJcText = text;
        setPause(RelayState.NEEDS_JC, "the coordinator asks for JC");
        notify(new Notification("Relay needs JC", text.length() > 1000 ? text.substring(0, 1000) + "..." : text,
                Notification.URGENT, List.of("rotating_light")));
    }

    /**
     * Does the remaining steps of the answered turns, oldest first; each step is idempotent, so after a failure the
     * same call later goes on where it stopped. The reply is released only once its item is removed: until then no
     * one can deliver it, so a restart that finds the item finishes the turn without ever sending the reply twice.
     */
    private void advanceFinishing() {
        while (!finishing.isEmpty()) {
            Finish f = finishing.peekFirst();
            WorkItem item = f.item();
            try {
                if (f.to().isPresent()) {
                    reach(TurnStep.REPLY_HELD, item.key());
                    outbox.hold(f.to().get(), item.key(), f.text());
                }
                if (item.recordsId()) {
                    reach(TurnStep.ID_RECORDED, item.key());
                    takenIds.add(item.key());
                }
                reach(TurnStep.ITEM_REMOVED, item.key());
                AtomicFiles.delete(item.file());
                queueIndex.forget(item.file());
                if (f.to().isPresent()) {
                    reach(TurnStep.REPLY_RELEASED, item.key());
                    outbox.release(f.to().get(), item.key());
                }
            } catch (RuntimeException e) {
                ioFailure("finishing the turn of " + describe(item) + " failed (it resumes where it stopped)", e);
                return;
            }
            finishing.removeFirst();
            statusDirty = true;
            f.to().ifPresent(session -> emit(new RelayEvent.ReplyQueued(session, f.direct())));
        }
    }

    private void onApiFailure(ApiDone done) {
        CoordinatorException e = done.failure();
        String message = e != null ? e.getMessage() : "internal error: " + done.crash();
        if (done.crash() != null) {
            LOG.error("the coordinator call crashed", done.crash());
        }
        lastError = message;
        boolean retryable = e == null || e.retryable();
        if (!retryable) {
            holdReason = message;
            setError("the API refused the call: " + message + " (the envelope is kept; fix it, then `relay resume`)");
            notify(new Notification("Relay stopped: API error", message, Notification.HIGH, List.of("warning")));
            LOG.error("API refused the turn for {}: {}; holding until `relay resume`", describe(done.item()), message);
            return;
        }
        attempts++;
        consecutiveFailures++;
        Duration delay;
        Optional<Duration> asked = e == null ? Optional.empty() : e.retryAfter();
        if (asked.isPresent()) {
            delay = asked.get();
            retryDetail = delay.compareTo(RETRY_CAP) > 0
                    ? "deferred: the API asked to wait " + delay.toSeconds() + " s"
                    : "retrying in " + Math.max(1, delay.toSeconds()) + " s as the API asked";
        } else {
            Duration cap = consecutiveFailures >= FAILURES_BEFORE_BACKOFF ? BACKOFF_CAP : RETRY_CAP;
            delay = fullJitter(attempts, cap);
            retryDetail = "retrying in " + Math.max(1, delay.toSeconds()) + " s";
        }
        nextAttemptAt = clock.instant().plus(delay);
        if (consecutiveFailures >= FAILURES_BEFORE_BACKOFF) {
            setError("API failing (" + consecutiveFailures + " in a row): " + retryDetail);
            if (consecutiveFailures == FAILURES_BEFORE_BACKOFF) {
                notify(new Notification("Relay backing off", message, Notification.HIGH, List.of("warning")));
            }
        }
        LOG.warn("API call for {} failed (attempt {}): {}; {}", describe(done.item()), attempts, message, retryDetail);
    }

    static Duration fullJitter(int attempt, Duration cap) {
        long ceiling = Math.min(cap.toMillis(), RETRY_BASE.toMillis() << Math.min(attempt, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    private Usage usageOf(CoordinatorReply reply) {
        var u = reply.usage();
        double cost = CachePlanner.cost(u, priceOf(settings.model()));
        return new Usage(u.inputTokens(), u.outputTokens(), u.cacheCreationTokens(), u.cacheReadTokens(),
                u.cacheCreation5m(), u.cacheCreation1h(), cost);
    }

    private Price priceOf(String model) {
        return settings.prices().forModel(model).orElseGet(() -> {
            problemOnce("no price for model " + model + ": costs are shown as $0; add it under prices: in config.yaml");
            return new Price(0, 0, 0, 0, 0);
        });
    }

    // ---------------------------------------------------------------- dispatch

    /**
     * Hands waiting replies to their sessions, each session on its own: one that cannot be written to (its directory
     * made read-only, a link where its input goes) is blocked, with the cause, and tried again after a growing pause,
     * while every other session and the operator go on.
     */
    private void pumpOutbox() {
        Instant now = clock.instant();
        for (SessionId session : outbox.sessions()) {
            Blocked b = blocked.get(session);
            if (b != null && now.isBefore(b.retryAt())) {
                continue;
            }
            try {
                deliverWaiting(session);
                if (b != null) {
                    blocked.remove(session);
                    statusDirty = true;
                    LOG.info("session {} takes replies again (blocked {} s: {})", session,
                            Duration.between(b.since(), clock.instant()).toSeconds(), b.cause());
                    emit(new RelayEvent.Problem("session " + session + " takes replies again"));
                }
            } catch (RuntimeException e) {
                blockSession(session, b, e);
            }
        }
    }

    private void deliverWaiting(SessionId session) {
        List<Outbox.Entry> pending = outbox.pending(session);
        if (pending.isEmpty()) {
            return;
        }
        watchDispatchDir(session);
        DispatchTarget target = targets.apply(session);
        for (Outbox.Entry entry : pending) {
            reach(TurnStep.DELIVERED, entry.keyDigest());
            if (!target.deliver(entry)) {
                break;
            }
            lastDispatchAt = clock.instant();
            lastDispatchSession = session;
            lastDispatchBySession.put(session, lastDispatchAt);
            statusDirty = true;
            LOG.info("reply delivered to {}", session);
            emit(new RelayEvent.ReplyDelivered(session));
        }
    }

    private void blockSession(SessionId session, Blocked before, RuntimeException e) {
        Instant now = clock.instant();
        String cause = IoCause.of(e);
        int failures = before == null ? 1 : before.failures() + 1;
        long wait = Math.min(BLOCKED_RETRY_CAP.toMillis(), 1000L << Math.min(failures - 1, 16));
        Instant since = before == null ? now : before.since();
        blocked.put(session, new Blocked(cause, since, failures, now.plusMillis(wait)));
        statusDirty = true;
        if (before == null || !before.cause().equals(cause)) {
            String detail = detail(e);
            lastError = "session " + session + " blocked: " + detail;
            statusUrgent = true;
            LOG.warn("replies to {} cannot be handed over: {}; they wait (tried again with a pause), the other sessions go on",
                    session, detail);
            LOG.debug("the failure", e);
            emit(new RelayEvent.Problem(lastError));
            if (before == null) {
                notify(new Notification("Relay: session " + session + " blocked",
                        "Its replies wait: " + detail, Notification.HIGH, List.of("warning")));
            }
        }
    }

    private void watchDispatchDir(SessionId session) {
        Path dir = Confined.check(home.root(), home.dispatchDir(session));
        if (watchedDispatchDirs.contains(dir)) {
            return;
        }
        AtomicFiles.ensurePrivateDirectory(dir);
        try {
            register(dir);
            watchedDispatchDirs.add(dir);
        } catch (IOException e) {
            LOG.debug("cannot watch {}: {}; the periodic rescan covers it", dir, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- control and state

    private void takeControlCommands() {
        for (ControlFiles.Command command : control.take()) {
            switch (command) {
                case PAUSE -> setPause(RelayState.PAUSED, "paused by the operator");
                case RESUME -> resume();
            }
        }
    }

    private void resume() {
        reloadSecrets();
        holdReason = null;
        nextAttemptAt = Instant.MIN;
        consecutiveFailures = 0;
        retryDetail = null;
        if (pauseState == RelayState.ERROR) {
            pauseState = RelayState.RUNNING;
        }
        setPause(RelayState.RUNNING, "resumed by the operator");
    }

    private void reloadSecrets() {
        lastSecretsReload = clock.instant();
        try {
            Settings reloaded = secretsReloader.apply(settings);
            boolean hadKey = coordinator != null && coordinator.isPresent();
            settings = reloaded;
            coordinator = coordinators.apply(settings);
            if (!hadKey && coordinator.isPresent()) {
                LOG.info("ANTHROPIC_API_KEY found; turns resume");
                if (holdReason != null && holdReason.startsWith("ANTHROPIC_API_KEY")) {
                    holdReason = null;
                    pauseState = pauseState == RelayState.ERROR ? RelayState.RUNNING : pauseState;
                    statusDirty = true;
                }
            }
        } catch (RuntimeException e) {
            problemOnce("cannot re-read the secrets: " + e.getMessage());
        }
    }

    private void setPause(RelayState state, String why) {
        if (pauseState == state) {
            return;
        }
        pauseState = state;
        pauseSince = clock.instant();
        statusDirty = true;
        statusUrgent = true;
        writePauseFile();
        LOG.info("state {}: {}", state.wire(), why);
        emit(new RelayEvent.StateChanged(state, why));
    }

    /** Persists the pause state; when it cannot be written it holds in memory and is written again by the next steps. */
    private void writePauseFile() {
        ObjectNode n = JSON.createObjectNode().put("state", pauseState.wire()).put("since", pauseSince.toString());
        if (lastNeedsJcAt != null) {
            n.put("last_needs_jc_at", lastNeedsJcAt).put("last_needs_jc_text", lastNeedsJcText);
        }
        try {
            AtomicFiles.write(pauseFile, n.toString());
            pauseFileDirty = false;
        } catch (RuntimeException e) {
            pauseFileDirty = true;
            ioFailure("cannot record the state " + pauseState.wire(), e);
        }
    }

    private void setError(String detail) {
        lastError = detail;
        statusDirty = true;
        statusUrgent = true;
        emit(new RelayEvent.StateChanged(RelayState.ERROR, detail));
    }

    private void loadPauseState() {
        if (!Files.exists(pauseFile)) {
            return;
        }
        try {
            var n = JSON.readTree(pauseFile.toFile());
            String s = n.path("state").asText("running");
            pauseState = "paused".equals(s) ? RelayState.PAUSED : "needs_jc".equals(s) ? RelayState.NEEDS_JC : RelayState.RUNNING;
            lastNeedsJcAt = n.hasNonNull("last_needs_jc_at") ? n.get("last_needs_jc_at").asText() : null;
            lastNeedsJcText = n.hasNonNull("last_needs_jc_text") ? n.get("last_needs_jc_text").asText() : null;
            if (pauseState != RelayState.RUNNING) {
                LOG.info("starting {} as the relay was when it stopped", pauseState.wire());
            }
        } catch (IOException e) {
            problem(pauseFile + " is unreadable (" + e.getMessage() + "); starting as running");
        }
    }

    private RelayState effectiveState() {
        if (pauseState == RelayState.NEEDS_JC || pauseState == RelayState.PAUSED) {
            return pauseState;
        }
        if (holdReason != null || consecutiveFailures >= FAILURES_BEFORE_BACKOFF || ioFailures >= IO_FAILURES_BEFORE_NOTICE) {
            return RelayState.ERROR;
        }
        return RelayState.RUNNING;
    }

    private void checkStuck(Instant now) {
        Optional<QueueDirectory.Entry> oldest = queueIndex.oldest();
        if (oldest.isEmpty()) {
            return;
        }
        int waiting = queueIndex.size();
        Duration age = Duration.between(oldest.get().modifiedAt(), now);
        Duration threshold = settings.stuckQueueThreshold();
        if (age.compareTo(threshold) > 0 && Duration.between(lastStuckAlert, now).compareTo(threshold) >= 0) {
            lastStuckAlert = now;
            String msg = waiting + " envelope" + (waiting == 1 ? "" : "s") + " waiting; the oldest ("
                    + oldest.get().name() + ") for " + age.toMinutes() + " min. State: " + effectiveState().wire()
                    + (lastError == null ? "" : "; last error: " + lastError);
            LOG.warn("queue stuck: {}", msg);
            notify(new Notification("Relay queue stuck", msg, Notification.HIGH, List.of("hourglass")));
        }
    }

    private void notify(Notification n) {
        notifier.send(n);
        emit(new RelayEvent.Notified(n));
    }

    private void problem(String message) {
        LOG.warn(message);
        lastError = message;
        statusDirty = true;
        emit(new RelayEvent.Problem(message));
    }

    private void problemOnce(String message) {
        if (reportedProblems.add(message)) {
            problem(message);
        }
    }

    private void emit(RelayEvent event) {
        for (Consumer<RelayEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("a relay listener failed: {}", e.toString());
            }
        }
    }

    private String describe(WorkItem item) {
        return item.speaker().equals(Turn.OPERATOR) ? "the operator's message" : "envelope " + item.file().getFileName()
                + " from " + item.speaker();
    }

    // ---------------------------------------------------------------- status

    /**
     * Writes status.json when it is due: each second, and soon after a change. When it cannot be written, the snapshot
     * (what an in-process console shows) is still current, and the write is tried again each second, not at once.
     */
    private void writeStatusIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextStatusAttempt)) {
            return;
        }
        boolean heartbeat = Duration.between(lastStatusWrite, now).compareTo(HEARTBEAT) >= 0;
        boolean changed = statusDirty && Duration.between(lastStatusWrite, now).compareTo(STATUS_MIN_INTERVAL) >= 0;
        if (heartbeat || changed || statusUrgent) {
            try {
                writeStatus();
                nextStatusAttempt = Instant.MIN;
            } catch (RuntimeException e) {
                nextStatusAttempt = now.plus(HEARTBEAT);
                ioFailure("cannot write " + home.root().relativize(home.statusFile()), e);
            }
        }
    }

    private void writeStatus() {
        Instant now = clock.instant();
        Status status;
        try {
            status = buildStatus(now);
        } finally {
            statusDirty = false;
            statusUrgent = false;
        }
        snapshot.set(status);
        statusFile.write(status);
        lastStatusWrite = now;
    }

    private Status buildStatus(Instant now) {
        Set<SessionId> sessions = new java.util.TreeSet<>();
        settings.sessions().forEach(s -> sessions.add(s.id()));
        sessions.addAll(outbox.sessions());
        sessions.addAll(lastReportAt.keySet());
        Map<SessionId, SessionRecord.Failure> failures = SessionFailures.scan(home);
        sessions.addAll(failures.keySet());
        List<Status.SessionStatus> sessionLines = new ArrayList<>();
        int waiting = 0;
        for (SessionId s : sessions) {
            int pending = outbox.pending(s).size();
            waiting += pending;
            String kind = settings.session(s).map(c -> c.kind().wire()).orElse("file");
            Blocked b = blocked.get(s);
            sessionLines.add(new Status.SessionStatus(s.value(), kind, pending,
                    Files.exists(home.inputFile(s)), str(lastReportAt.get(s)), str(lastDispatchBySession.get(s)),
                    failures.containsKey(s) ? failures.get(s).describe() : null,
                    failures.containsKey(s) ? failures.get(s).at() : null,
                    b == null ? null : b.cause(), b == null ? null : str(b.since())));
            SessionRecord.Failure failure = failures.get(s);
            if (failure != null && SessionFailures.firstNotice(home, s, failure)) {
                LOG.warn("Claude Code session {} stopped on an API error: {}", s, failure.describe());
                notify(new Notification("Claude Code session " + s + " failed", failure.describe(), Notification.HIGH,
                        List.of("warning")));
            }
        }
        Usage total = conversation.totalUsage();
        RelayState state = effectiveState();
        String detail = switch (state) {
            case PAUSED -> "paused by the operator: `relay resume` to go on";
            case NEEDS_JC -> "waiting for JC: answer with an override, or `relay resume`";
            case ERROR -> holdReason != null ? holdReason
                    : ioFailures >= IO_FAILURES_BEFORE_NOTICE ? "cannot write its files: " + ioCause + " (retrying)" : retryDetail;
            case RUNNING -> inFlight != 0 ? "waiting for the coordinator" : openItem != null ? retryDetail : "idle";
        };
        long oldestAge = queueIndex.oldest().map(e -> Math.max(0, Duration.between(e.modifiedAt(), now).toSeconds())).orElse(0L);
        return new Status(ProcessHandle.current().pid(), startedAt.toString(), now.toString(), state.wire(), detail,
                settings.model(), lastNeedsJcAt, lastNeedsJcText, str(lastDispatchAt),
                lastDispatchSession == null ? null : lastDispatchSession.value(), queueIndex.size(), oldestAge, waiting,
                queue.rejectedCount(), conversation.chars(), conversation.turns().size(), total.inputTokens(),
                total.outputTokens(), total.cacheCreationTokens(), total.cacheReadTokens(), total.costUsd(), lastTurnCost,
                lastTtl.wire().equals("1h") ? "1h" : lastTtl == CacheTtl.NONE ? "none" : "5m",
                openItem != null && inFlight == 0 && nextAttemptAt.isAfter(now) ? nextAttemptAt.toString() : null,
                coordinator.isPresent(), settings.ntfyUrl(), lastError, sessionLines);
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}
