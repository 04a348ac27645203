package dev.relay.relay;

import dev.relay.anthropic.CacheTtl;
import dev.relay.anthropic.Coordinator;
import dev.relay.anthropic.CoordinatorException;
import dev.relay.anthropic.CoordinatorReply;
import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.claude.SessionFailures;
import dev.relay.claude.SessionRecord;
import dev.relay.config.Price;
import dev.relay.config.Settings;
import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import dev.relay.core.DirectMessage;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.files.IoCause;
import dev.relay.notify.Notification;
import dev.relay.notify.Notifier;
import dev.relay.queue.QueueDirectory;
import dev.relay.queue.QueueIndex;
import dev.relay.queue.Rejection;
import dev.relay.state.ControlFiles;
import dev.relay.state.PauseFile;
import dev.relay.state.RelayState;
import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import dev.relay.state.TakenIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay loop (CONTRACT section 4) on one named thread. Each step is a series of durable, idempotent changes
 * keyed by the work item's key, so that a restart after a crash at any point resumes at the first missing step:
 * user turn appended, API called (at least once), reply appended, reply queued in the outbox, id recorded, item
 * file removed. API calls run on their own thread and report back, so intake, dispatch, pause and the heartbeat
 * never wait for the coordinator. The collaborators answer values; the loop alone orders the steps, emits events
 * and writes the status.
 */
public final class RelayLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayLoop.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration STATUS_MIN_INTERVAL = Duration.ofMillis(200);
    private static final Duration RESCAN = Duration.ofSeconds(1);
    private static final Duration SECRETS_RELOAD = Duration.ofSeconds(10);

    private final Home home;
    private final Clock clock;
    private final Function<Settings, Optional<Coordinator>> coordinators;
    private final Function<Settings, Settings> secretsReloader;
    private final Notifier notifier;

    private final QueueDirectory queue;
    private final QueueIndex queueIndex;
    private final Outbox outbox;
    private final ControlFiles control;
    private final StatusFile statusFile;
    private final PauseFile pauseFile;
    private final OperatorInbox operator;
    private final Delivery delivery;
    private final IoFaults io = new IoFaults(LOG);
    private final CachePlanner cachePlanner = new CachePlanner();
    private final List<Consumer<RelayEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Status> snapshot = new AtomicReference<>();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ExecutorService api = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "relay-api");
        t.setDaemon(true);
        return t;
    });
    private Executor calls = api;
    private RetryPolicy retryPolicy = RetryPolicy.jittered();

    private Settings settings;
    private Optional<Coordinator> coordinator;
    private ConversationStore conversation;
    private TakenIds takenIds;
    private Intake intake;
    private Recovery recovery;
    private TurnFinisher finisher;
    private WatchService watcher;
    private Thread loopThread;
    private Thread watchThread;
    private volatile boolean running;

    private PauseFile.Pause pause = PauseFile.Pause.RUNNING;
    private boolean pauseFileDirty;
    private Retry retry = Retry.NONE;
    private WorkItem openItem;
    /** The id of the coordinator call in flight, 0 when none; a result answers only the call it belongs to. */
    private long inFlight;
    private long lastCallId;
    /** A reply (or summary) the coordinator gave that could not be recorded yet: recorded again, never asked again. */
    private ApiDone unrecorded;
    private BiConsumer<TurnStep, String> faults = (step, key) -> {};
    private String lastError;
    private Instant lastStuckAlert = Instant.MIN;
    private double lastTurnCost;
    private CacheTtl lastTtl = CacheTtl.FIVE_MINUTES;
    private Instant startedAt;
    private StatusChange statusChange = StatusChange.CHANGED;
    private Instant lastStatusWrite = Instant.MIN;
    private Instant nextStatusAttempt = Instant.MIN;
    private Instant lastRescan = Instant.MIN;
    private Instant lastSecretsReload = Instant.MIN;
    private final Set<String> reportedProblems = new HashSet<>();

    /** How soon status.json should be written again: at the heartbeat, soon after a change, or at once. */
    private enum StatusChange { NONE, CHANGED, URGENT }

    /** Wakes the loop: a file changed somewhere it watches, or a command arrived. */
    private record Wake() {}

    /** Names that changed in one watched directory; {@code overflow} when the kernel dropped events. */
    private record FsChange(Path dir, List<Path> names, boolean overflow) {}

    private record ApiDone(long call, WorkItem item, boolean summary, CoordinatorReply reply, CoordinatorException failure,
                           RuntimeException crash, Instant startedAt) {}

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
        this.queue = new QueueDirectory(home.queueDir(), settings.maxEnvelopeBytes(), clock);
        this.queueIndex = new QueueIndex(queue);
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.control = new ControlFiles(home.controlDir());
        this.statusFile = new StatusFile(home.statusFile());
        this.pauseFile = new PauseFile(home.pauseFile());
        this.operator = new OperatorInbox(home.jcInputFile(), home.operatorDir(), clock);
        this.delivery = new Delivery(home, outbox, targets, clock, this::register, this::reach);
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
        open();
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

    private void open() {
        for (Path dir : List.of(home.queueDir(), home.stateDir(), home.controlDir(), operator.dir(), home.outboxRoot(),
                home.dispatchRoot())) {
            AtomicFiles.ensurePrivateDirectory(dir);
        }
        startedAt = clock.instant();
        ConversationStore.Opened opened = ConversationStore.open(home.conversationFile());
        conversation = opened.store();
        opened.damage().ifPresent(d -> problem(d));
        takenIds = new TakenIds(home.takenIdsFile());
        intake = new Intake(queue, queueIndex, takenIds, conversation);
        recovery = new Recovery(queue, operator, conversation);
        finisher = new TurnFinisher(outbox, takenIds, queueIndex, this::reach);
        loadPauseState();
        coordinator = coordinators.apply(settings);
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

    // ---------------------------------------------------------------- test seams

    /**
     * Test seam: opens the home and recovers as {@link #start()} does, but starts no thread: the caller steps the
     * loop with {@link #stepOnce()}, and coordinator calls run on the caller's thread.
     */
    void startStepping() {
        calls = Runnable::run;
        open();
        running = true;
        recover();
    }

    /**
     * Test seam: one round of the loop on the caller's thread, then the results it produced, with no waiting.
     * No directory watch runs here, so each step rescans the queue, as the watch would have told it.
     */
    void stepOnce() {
        lastRescan = Instant.MIN;
        round();
        drain(inbox.poll());
    }

    /** Test seam: the retry arithmetic, say with a fixed draw instead of a random one. */
    void useRetryPolicy(RetryPolicy policy) {
        this.retryPolicy = policy;
    }

    /** Test seam: {@code before} runs before each durable step of a turn and may throw to simulate a failure there. */
    void injectFaults(BiConsumer<TurnStep, String> before) {
        this.faults = before;
    }

    private void reach(TurnStep step, String key) {
        faults.accept(step, key);
    }

    // ---------------------------------------------------------------- the thread

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
        if (watcher == null) {
            throw new IOException("no directory watch (stepped by a test)");
        }
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
    }

    private void run() {
        recover();
        while (running) {
            round();
            Object signal;
            try {
                signal = inbox.poll(pollTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                break;
            }
            drain(signal);
        }
        try {
            writeStatus();
        } catch (RuntimeException e) {
            LOG.warn("cannot write {} on the way out: {}", home.statusFile(), IoCause.of(e));
        }
        LOG.info("relay loop stopped");
    }

    private void round() {
        io.beginRound();
        boolean stepped = false;
        try {
            stepped = step();
        } catch (RuntimeException e) {
            ioFailure("a relay step failed", e);
        }
        writeStatusIfDue();
        if (io.overAfter(stepped)) {
            ioRecovered();
        }
    }

    /** Handles {@code signal} and whatever else is in the inbox, without waiting. */
    private void drain(Object signal) {
        try {
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
        } catch (RuntimeException e) {
            // the call's result is kept (unrecorded) or its turn retried; the call in flight, if any, stays so
            ioFailure("handling the coordinator's answer failed", e);
        }
    }

    private Duration pollTimeout() {
        Instant now = clock.instant();
        Instant wake = now.plus(RESCAN);
        if (io.pausing(now)) {
            wake = earliest(wake, io.retryAt());
        } else if (openItem != null && inFlight == 0 && retry.waiting(now)) {
            wake = earliest(wake, retry.nextAttemptAt());
        }
        for (Delivery.Blocked b : delivery.blocked().values()) {
            wake = earliest(wake, b.retryAt());
        }
        if (statusChange != StatusChange.NONE) {
            Instant due = statusChange == StatusChange.URGENT ? now : lastStatusWrite.plus(STATUS_MIN_INTERVAL);
            wake = earliest(wake, due.isBefore(nextStatusAttempt) ? nextStatusAttempt : due);
        }
        Duration until = Duration.between(now, wake);
        return until.isNegative() ? Duration.ZERO : until;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    // ---------------------------------------------------------------- the step

    /** One round of the loop's work; false when it was skipped, pausing after an I/O failure. */
    private boolean step() {
        Instant now = clock.instant();
        if (io.pausing(now)) {
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
        intake.screenNewEnvelopes(this::rejected);
        if (coordinator.isEmpty() && Duration.between(lastSecretsReload, now).compareTo(SECRETS_RELOAD) >= 0) {
            reloadSecrets();
        }
        if (inFlight != 0 || unrecorded != null || !finisher.isEmpty()) {
            return true;   // a session's replies keep their order: nothing new starts before the last turn is out
        }
        if (openItem != null) {
            if (!Files.exists(openItem.file())) {
                problem("the " + describe(openItem) + " of the unanswered turn was removed by someone else; the turn is abandoned");
                openItem = null;
            } else if (retry.due(now)) {
                beginCall(openItem);
            }
            return true;
        }
        checkStuck(now);
        nextWork().ifPresent(this::startTurn);
        return true;
    }

    /** The next work item: the operator's messages first, then (unless paused) the oldest envelope. */
    private Optional<WorkItem> nextWork() {
        Optional<WorkItem> operatorItem = nextOperatorItem();
        if (operatorItem.isPresent() || pause.state() != RelayState.RUNNING) {
            return operatorItem;
        }
        return intake.next(finisher::isFinishing, this::rejected);
    }

    private void rejected(Rejection r) {
        LOG.warn("rejected {}: {} (moved to {})", r.name(), r.reason(), home.root().relativize(r.movedTo()));
        statusChanged();
        emit(new RelayEvent.EnvelopeRejected(r));
    }

    private void takeOperatorInput() {
        operator.take().ifPresent(text -> {
            if (text.isBlank()) {
                problem("state/jc_input.txt was empty: nothing to send, removed");
                return;
            }
            if (pause.state() == RelayState.NEEDS_JC) {
                setPause(RelayState.RUNNING, "the operator answered");
            }
            LOG.info("operator input taken ({} characters)", text.length());
        });
    }

    /** The oldest operator message; direct dispatches are done here, since they need no API call. */
    private Optional<WorkItem> nextOperatorItem() {
        for (Path file : operator.files()) {
            if (finisher.isFinishing(file)) {
                continue;
            }
            String text = operator.read(file);
            Optional<DirectMessage> direct = DirectMessage.parse(text);
            if (direct.isPresent()) {
                SessionId session = direct.get().session();
                String message = direct.get().message();
                WorkItem item = OperatorInbox.item(file, message, Optional.of(session));
                if (message.isEmpty()) {
                    problem("@" + session + ": had no message after the colon; nothing sent");
                    finisher.add(new TurnFinisher.Finish(item, "", Optional.empty(), true));
                } else {
                    LOG.info("operator message dispatched directly to {}", session);
                    emit(new RelayEvent.TurnRecorded(Turn.user(Turn.OPERATOR, direct.get().text(), item.key(),
                            clock.instant())));
                    finisher.add(new TurnFinisher.Finish(item, message, Optional.of(session), true));
                }
                statusChanged();
                advanceFinishing();
                pumpOutbox();
                if (!finisher.isEmpty()) {
                    return Optional.empty();   // the rest waits, in order, until this one is out
                }
                continue;
            }
            return Optional.of(OperatorInbox.item(file, text.strip(), operatorReplyTo()));
        }
        return Optional.empty();
    }

    private Optional<SessionId> operatorReplyTo() {
        return settings.firstSession().map(s -> s.id());
    }

    // ---------------------------------------------------------------- recovery

    /**
     * Finishes the answered turns whose envelope (or operator message) is still there after a restart, then releases
     * the held replies whose work is gone. A reply is held until its item is removed, so one still held was never
     * delivered, and an item still there was never answered to its session: nothing is lost, nothing sent twice.
     * Then resumes the last turn if it was never answered.
     */
    private void recover() {
        try {
            for (Recovery.Answered a : recovery.answered(operatorReplyTo())) {
                LOG.info(a.item().speaker().equals(Turn.OPERATOR)
                        ? "the operator's message {} was answered before a restart; finishing its turn"
                        : "envelope {} was answered before a restart; finishing its turn", a.item().file().getFileName());
                finishTurn(a.item(), a.reply());
            }
            int released = outbox.releaseAllBut(finisher.heldDigests());
            if (released > 0) {
                LOG.info("{} repl{} held when the relay stopped released to their sessions", released, released == 1 ? "y" : "ies");
            }
            recovery.openTurn(operatorReplyTo()).ifPresent(item -> {
                LOG.info("resuming the unanswered turn of {} after a restart", describe(item));
                openItem = item;
            });
        } catch (RuntimeException e) {
            LOG.error("recovery after a restart failed; going on", e);
            lastError = "recovery failed: " + IoCause.of(e);
        }
    }

    // ---------------------------------------------------------------- turns

    private void startTurn(WorkItem item) {
        if (!conversation.hasUserTurn(item.key())) {
            Turn user = Turn.user(item.speaker(), item.content(), item.key(), clock.instant());
            reach(TurnStep.USER_RECORDED, item.key());
            conversation.append(user);
            emit(new RelayEvent.TurnRecorded(user));
        }
        openItem = item;
        retry = retry.newTurn();
        statusChanged();
        if (!retry.held()) {
            beginCall(item);
        }
    }

    private void beginCall(WorkItem item) {
        if (coordinator.isEmpty()) {
            Retry.Hold hold = new Retry.Hold(Retry.Hold.Kind.NO_API_KEY, "ANTHROPIC_API_KEY is not set: add it to "
                    + home.envFile() + " (or the environment), then run `relay resume`");
            retry = retry.held(hold);
            setError(hold.reason());
            return;
        }
        Coordinator c = coordinator.get();
        boolean summarize = Turns.needsSummary(settings, conversation);
        CoordinatorRequest request;
        if (summarize) {
            request = Turns.summaryRequest(settings, conversation.turns());
        } else {
            Turns.Planned planned = Turns.replyRequest(settings, conversation, cachePlanner, price());
            lastTtl = planned.ttl();
            request = planned.request();
        }
        Instant started = clock.instant();
        if (!summarize) {
            cachePlanner.recordCall(started);
        }
        long call = ++lastCallId;
        inFlight = call;
        statusChanged();
        CompletableFuture.runAsync(() -> {
            try {
                inbox.add(new ApiDone(call, item, summarize, c.complete(request), null, null, started));
            } catch (CoordinatorException e) {
                inbox.add(new ApiDone(call, item, summarize, null, e, null, started));
            } catch (RuntimeException e) {
                inbox.add(new ApiDone(call, item, summarize, null, null, e, started));
            }
        }, calls);
    }

    private void onApiDone(ApiDone done) {
        if (done.call() != inFlight) {
            LOG.warn("a coordinator result for a call no longer in flight was dropped ({})", describe(done.item()));
            return;
        }
        inFlight = 0;
        statusChanged();
        if (!running) {
            return;
        }
        if (done.failure() != null || done.crash() != null) {
            onApiFailure(done);
            return;
        }
        retry = retry.succeeded();
        record(done);
    }

    /**
     * Records what the coordinator answered and finishes its turn. When the history cannot be written, the answer is
     * kept and recorded again (by the next steps), never asked for again: one call, one assistant turn.
     */
    private void record(ApiDone done) {
        unrecorded = done;
        Usage usage = Turns.usageOf(done.reply(), price());
        if (done.summary()) {
            long before = conversation.chars();
            Turns.Compaction compaction = Turns.compact(conversation.turns(), settings.keepRecentTurns(),
                    done.reply().text(), usage, clock.instant());
            conversation.replaceAll(compaction.turns());
            LOG.info("history summarized: {} turns replaced, {} -> {} characters", compaction.replaced(), before,
                    conversation.chars());
            emit(new RelayEvent.HistorySummarized(compaction.replaced(), before, conversation.chars()));
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
        retry = retry.newTurn();
        boolean needsJc = Turns.needsJc(settings, assistant.content());
        finisher.add(finishOf(done.item(), assistant, needsJc));
        // With the reply durable, the next turn may start at once: its API call overlaps this item's remaining
        // file work (outbox, removal, delivery), whose order within the item is unchanged.
        if (!needsJc && !retry.held()) {
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

    /** Finishes an answered turn: its reply held, its id recorded, its item removed, its reply released. */
    private void finishTurn(WorkItem item, Turn reply) {
        boolean needsJc = Turns.needsJc(settings, reply.content());
        finisher.add(finishOf(item, reply, needsJc));
        if (needsJc) {
            askForJc(reply.content());
        }
        advanceFinishing();
        pumpOutbox();
    }

    private static TurnFinisher.Finish finishOf(WorkItem item, Turn reply, boolean needsJc) {
        String text = reply.content();
        boolean sends = !needsJc && item.replyTo().isPresent() && !text.isBlank();
        return new TurnFinisher.Finish(item, text, sends ? item.replyTo() : Optional.empty(), false);
    }

    private void askForJc(String text) {
        pause = pause.askedForJc(clock.instant(), text);
        setPause(RelayState.NEEDS_JC, "the coordinator asks for JC");
        notify(new Notification("Relay needs JC", text.length() > 1000 ? text.substring(0, 1000) + "..." : text,
                Notification.URGENT, List.of("rotating_light")));
    }

    private void advanceFinishing() {
        TurnFinisher.Advanced advanced = finisher.advance();
        for (TurnFinisher.Finish f : advanced.done()) {
            statusChanged();
            f.to().ifPresent(session -> emit(new RelayEvent.ReplyQueued(session, f.direct())));
        }
        advanced.failed().ifPresent(failed -> ioFailure("finishing the turn of " + describe(failed.item())
                + " failed (it resumes where it stopped)", failed.cause()));
    }

    private void onApiFailure(ApiDone done) {
        CoordinatorException e = done.failure();
        String message = e != null ? e.getMessage() : "internal error: " + done.crash();
        if (done.crash() != null) {
            LOG.error("the coordinator call crashed", done.crash());
        }
        lastError = message;
        RetryPolicy.Decision decision = retryPolicy.afterFailure(retry, e == null || e.retryable(),
                e == null ? Optional.empty() : e.retryAfter(), message, clock.instant());
        retry = decision.next();
        if (decision.refused()) {
            setError("the API refused the call: " + message + " (the envelope is kept; fix it, then `relay resume`)");
            notify(new Notification("Relay stopped: API error", message, Notification.HIGH, List.of("warning")));
            LOG.error("API refused the turn for {}: {}; holding until `relay resume`", describe(done.item()), message);
            return;
        }
        if (decision.backingOff()) {
            setError("API failing (" + retry.consecutiveFailures() + " in a row): " + retry.detail());
            if (decision.startsBackoff()) {
                notify(new Notification("Relay backing off", message, Notification.HIGH, List.of("warning")));
            }
        }
        LOG.warn("API call for {} failed (attempt {}): {}; {}", describe(done.item()), retry.attempts(), message, retry.detail());
    }

    private Price price() {
        String model = settings.model();
        return settings.prices().forModel(model).orElseGet(() -> {
            problemOnce("no price for model " + model + ": costs are shown as $0; add it under prices: in config.yaml");
            return new Price(0, 0, 0, 0, 0);
        });
    }

    // ---------------------------------------------------------------- dispatch and faults

    private void pumpOutbox() {
        for (Delivery.Outcome outcome : delivery.pump()) {
            statusChanged();
            if (outcome instanceof Delivery.Delivered d) {
                LOG.info("reply delivered to {}", d.session());
                emit(new RelayEvent.ReplyDelivered(d.session()));
            } else if (outcome instanceof Delivery.Unblocked u) {
                LOG.info("session {} takes replies again (blocked {} s: {})", u.session(),
                        Duration.between(u.was().since(), u.at()).toSeconds(), u.was().cause());
                emit(new RelayEvent.Problem("session " + u.session() + " takes replies again"));
            } else if (outcome instanceof Delivery.Failed f && f.news()) {
                String detail = IoFaults.detail(f.cause());
                lastError = "session " + f.session() + " blocked: " + detail;
                statusChange = StatusChange.URGENT;
                LOG.warn("replies to {} cannot be handed over: {}; they wait (tried again with a pause), the other sessions go on",
                        f.session(), detail);
                LOG.debug("the failure", f.cause());
                emit(new RelayEvent.Problem(lastError));
                if (f.before().isEmpty()) {
                    notify(new Notification("Relay: session " + f.session() + " blocked",
                            "Its replies wait: " + detail, Notification.HIGH, List.of("warning")));
                }
            }
        }
    }

    /**
     * Something the loop had to do failed (a full disk, a directory made read-only): what was done stays done, what
     * was not is done again after a bounded, growing pause; the failure is logged once with a count, shown in the
     * status, and notified once if it lasts.
     */
    private void ioFailure(String what, RuntimeException e) {
        IoFaults.Failure failure = io.failed(what, e, clock.instant());
        lastError = failure.cause();
        statusChanged();
        if (failure.first()) {
            emit(new RelayEvent.Problem(failure.cause()));
        }
        if (failure.notice()) {
            setError("cannot write its files: " + failure.detail() + " (retrying; nothing is lost)");
            notify(new Notification("Relay cannot write its files", failure.detail() + ". The relay retries with a pause "
                    + "and loses nothing; free the disk or fix the permissions.", Notification.HIGH, List.of("warning")));
        }
    }

    private void ioRecovered() {
        IoFaults.Ended ended = io.end(clock.instant());
        if (ended.noticed()) {
            notify(new Notification("Relay writes its files again", "after " + ended.failures() + " failures: "
                    + ended.cause(), Notification.DEFAULT, List.of("white_check_mark")));
            emit(new RelayEvent.StateChanged(effectiveState(), "the relay writes its files again"));
        }
        statusChange = StatusChange.URGENT;
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
        retry = retry.resumed();
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
                if (retry.heldFor(Retry.Hold.Kind.NO_API_KEY)) {
                    retry = retry.unheld();
                    statusChanged();
                }
            }
        } catch (RuntimeException e) {
            problemOnce("cannot re-read the secrets: " + e.getMessage());
        }
    }

    private void setPause(RelayState state, String why) {
        if (pause.state() == state) {
            return;
        }
        pause = pause.to(state, clock.instant());
        statusChange = StatusChange.URGENT;
        writePauseFile();
        LOG.info("state {}: {}", state.wire(), why);
        emit(new RelayEvent.StateChanged(state, why));
    }

    /** Persists the pause state; when it cannot be written it holds in memory and is written again by the next steps. */
    private void writePauseFile() {
        try {
            pauseFile.write(pause);
            pauseFileDirty = false;
        } catch (RuntimeException e) {
            pauseFileDirty = true;
            ioFailure("cannot record the state " + pause.state().wire(), e);
        }
    }

    private void loadPauseState() {
        try {
            pauseFile.load().ifPresent(loaded -> {
                pause = loaded;
                if (pause.state() != RelayState.RUNNING) {
                    LOG.info("starting {} as the relay was when it stopped", pause.state().wire());
                }
            });
        } catch (IOException e) {
            problem(pauseFile.path() + " is unreadable (" + e.getMessage() + "); starting as running");
        }
    }

    private void setError(String detail) {
        lastError = detail;
        statusChange = StatusChange.URGENT;
        emit(new RelayEvent.StateChanged(RelayState.ERROR, detail));
    }

    private RelayState effectiveState() {
        return StatusBuilder.state(pause, retry, io.lasting());
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
        statusChanged();
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

    private void statusChanged() {
        if (statusChange == StatusChange.NONE) {
            statusChange = StatusChange.CHANGED;
        }
    }

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
        boolean changed = statusChange == StatusChange.CHANGED
                && Duration.between(lastStatusWrite, now).compareTo(STATUS_MIN_INTERVAL) >= 0;
        if (heartbeat || changed || statusChange == StatusChange.URGENT) {
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
            status = StatusBuilder.build(facts(now));
        } finally {
            statusChange = StatusChange.NONE;
        }
        snapshot.set(status);
        statusFile.write(status);
        lastStatusWrite = now;
    }

    /** What the status says now; a Claude Code session's failure seen for the first time is notified. */
    private StatusBuilder.Facts facts(Instant now) {
        Map<SessionId, SessionRecord.Failure> failures = SessionFailures.scan(home);
        Map<SessionId, Instant> reported = intake.lastReportAt();
        List<StatusBuilder.SessionFacts> sessions = new ArrayList<>();
        for (SessionId s : StatusBuilder.sessions(settings, outbox.sessions(), reported.keySet(), failures.keySet())) {
            SessionRecord.Failure failure = failures.get(s);
            sessions.add(new StatusBuilder.SessionFacts(s, outbox.pending(s).size(), Files.exists(home.inputFile(s)),
                    reported.get(s), delivery.lastDispatchTo(s).orElse(null), failure, delivery.blocked().get(s)));
            if (failure != null && SessionFailures.firstNotice(home, s, failure)) {
                LOG.warn("Claude Code session {} stopped on an API error: {}", s, failure.describe());
                notify(new Notification("Claude Code session " + s + " failed", failure.describe(), Notification.HIGH,
                        List.of("warning")));
            }
        }
        Optional<Map.Entry<SessionId, Instant>> last = delivery.lastDispatch();
        return new StatusBuilder.Facts(ProcessHandle.current().pid(), startedAt, now, settings, pause, retry, inFlight != 0,
                openItem != null, io.lasting(), io.cause(), last.map(Map.Entry::getKey), last.map(Map.Entry::getValue).orElse(null),
                queueIndex.size(), queueIndex.oldest().map(QueueDirectory.Entry::modifiedAt), queue.rejectedCount(),
                conversation.chars(), conversation.turns().size(), conversation.totalUsage(), lastTurnCost, lastTtl,
                coordinator.isPresent(), lastError, sessions);
    }
}
