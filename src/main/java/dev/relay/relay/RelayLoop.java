package dev.relay.relay;

import dev.relay.anthropic.Coordinator;
import dev.relay.claude.SessionFailures;
import dev.relay.claude.SessionRecord;
import dev.relay.config.Price;
import dev.relay.config.Settings;
import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private static final Duration RESCAN = Duration.ofSeconds(1);

    private final Home home;
    private final Clock clock;
    private final Keyring keys;
    private final Notifier notifier;

    private final QueueDirectory queue;
    private final QueueIndex queueIndex;
    private final Outbox outbox;
    private final ControlFiles control;
    private final StatusFile statusFile;
    private final PauseKeeper pause;
    private final OperatorInbox operator;
    private final Delivery delivery;
    private final DirectoryWatch watch = new DirectoryWatch();
    private final IoFaults io = new IoFaults(LOG);
    private final StatusSchedule schedule = new StatusSchedule();
    private final StuckQueue stuck = new StuckQueue();
    private final List<Consumer<RelayEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Status> snapshot = new AtomicReference<>();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ExecutorService api = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "relay-api");
        t.setDaemon(true);
        return t;
    });
    private Executor calls = api;

    private ConversationStore conversation;
    private TakenIds takenIds;
    private Intake intake;
    private Recovery recovery;
    private TurnFinisher finisher;
    private TurnRunner turns;
    private Thread loopThread;
    private volatile boolean running;

    private BiConsumer<TurnStep, String> faults = (step, key) -> {};
    private String lastError;
    private Instant startedAt;
    private Instant lastRescan = Instant.MIN;
    private final Set<String> reportedProblems = new HashSet<>();

    /** Wakes the loop: a command arrived. */
    private record Wake() {}

    /**
     * @param coordinators     makes the coordinator client from the settings; empty when no API key is set
     * @param secretsReloader  re-reads secrets (from .env and the environment) when the operator resumes
     * @param targets          where replies for a session go
     */
    public RelayLoop(Settings settings, Clock clock, Function<Settings, Optional<Coordinator>> coordinators,
                     Function<Settings, Settings> secretsReloader, Notifier notifier,
                     Function<SessionId, DispatchTarget> targets) {
        this.home = settings.home();
        this.clock = clock;
        this.keys = new Keyring(settings, coordinators, secretsReloader);
        this.notifier = notifier;
        this.queue = new QueueDirectory(home.queueDir(), settings.maxEnvelopeBytes(), clock);
        this.queueIndex = new QueueIndex(queue);
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.control = new ControlFiles(home.controlDir());
        this.statusFile = new StatusFile(home.statusFile());
        this.pause = new PauseKeeper(new PauseFile(home.pauseFile()));
        this.operator = new OperatorInbox(home.jcInputFile(), home.operatorDir(), clock);
        this.delivery = new Delivery(home, outbox, targets, clock, watch, this::reach);
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
            watch.open(home.queueDir().getFileSystem());
            for (Path dir : List.of(home.queueDir(), home.stateDir(), home.controlDir())) {
                watch.register(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + home.root() + ": " + e.getMessage(), e);
        }
        running = true;
        watch.start(inbox::offer);
        loopThread = new Thread(this::run, "relay-loop");
        loopThread.start();
        Settings settings = keys.settings();
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
        turns = new TurnRunner(conversation, clock, calls, inbox::add, this::reach);
        apply(pause.load());
        keys.open();
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
        watch.close();
        if (conversation != null) {
            conversation.close();
        }
        if (takenIds != null) {
            takenIds.close();
        }
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
        turns.useRetryPolicy(policy);
    }

    /** Test seam: {@code before} runs before each durable step of a turn and may throw to simulate a failure there. */
    void injectFaults(BiConsumer<TurnStep, String> before) {
        this.faults = before;
    }

    private void reach(TurnStep step, String key) {
        faults.accept(step, key);
    }

    // ---------------------------------------------------------------- the thread

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
                if (signal instanceof TurnRunner.ApiDone done) {
                    onApiDone(done);
                } else if (signal instanceof DirectoryWatch.Change change && change.dir().equals(home.queueDir())) {
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
        List<Instant> wakes = new ArrayList<>(List.of(now.plus(RESCAN)));
        if (io.pausing(now)) {
            wakes.add(io.retryAt());
        } else {
            turns.retryAt(now).ifPresent(wakes::add);
        }
        delivery.blocked().values().forEach(b -> wakes.add(b.retryAt()));
        schedule.wakeFor(now).ifPresent(wakes::add);
        Duration until = Duration.between(now, wakes.stream().min(Instant::compareTo).orElseThrow());
        return until.isNegative() ? Duration.ZERO : until;
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
        apply(pause.persist());
        takeControlCommands();
        advanceFinishing();   // turns an error left half-finished resume at their first missing step
        turns.unrecorded().ifPresent(done -> turnDone(turns.record(done, context())));
        pumpOutbox();
        takeOperatorInput();
        intake.screenNewEnvelopes(this::rejected);
        if (keys.lookAgain(now)) {
            reloadSecrets();
        }
        if (turns.busy() || !finisher.isEmpty()) {
            return true;   // a session's replies keep their order: nothing new starts before the last turn is out
        }
        Optional<WorkItem> open = turns.open();
        if (open.isPresent()) {
            if (!Files.exists(open.get().file())) {
                problem("the " + open.get().describe() + " of the unanswered turn was removed by someone else; the turn is abandoned");
                turns.abandon();
            } else if (turns.retry().due(now)) {
                turnDone(turns.call(context()));
            }
            return true;
        }
        queueIndex.oldest().flatMap(oldest -> stuck.check(oldest.name(), oldest.modifiedAt(), queueIndex.size(),
                keys.settings().stuckQueueThreshold(), now, effectiveState().wire(), lastError)).ifPresent(msg -> {
                    LOG.warn("queue stuck: {}", msg);
                    notify(new Notification("Relay queue stuck", msg, Notification.HIGH, List.of("hourglass")));
                });
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

    /** The oldest operator message for the coordinator; direct messages are sent here, since they need no API call. */
    private Optional<WorkItem> nextOperatorItem() {
        for (Path file : operator.files()) {
            if (finisher.isFinishing(file)) {
                continue;
            }
            OperatorInbox.Message m = operator.message(file, operatorReplyTo());
            if (m.direct().isEmpty()) {
                return Optional.of(m.item());
            }
            DirectMessage direct = m.direct().get();
            apply(OperatorInbox.sent(m.item(), direct, clock.instant()));
            finisher.add(TurnFinisher.Finish.direct(m.item(), direct.message()));
            advanceFinishing();
            pumpOutbox();
            if (!finisher.isEmpty()) {
                return Optional.empty();   // the rest waits, in order, until this one is out
            }
        }
        return Optional.empty();
    }

    private Optional<SessionId> operatorReplyTo() {
        return keys.settings().firstSession().map(s -> s.id());
    }

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
                finish(a.item(), a.reply(), Turns.needsJc(keys.settings(), a.reply().content()), false);
            }
            int released = outbox.releaseAllBut(finisher.heldDigests());
            if (released > 0) {
                LOG.info("{} repl{} held when the relay stopped released to their sessions", released, released == 1 ? "y" : "ies");
            }
            recovery.openTurn(operatorReplyTo()).ifPresent(item -> {
                LOG.info("resuming the unanswered turn of {} after a restart", item.describe());
                turns.reopen(item);
            });
        } catch (RuntimeException e) {
            LOG.error("recovery after a restart failed; going on", e);
            lastError = "recovery failed: " + IoCause.of(e);
        }
    }

    // ---------------------------------------------------------------- turns

    private TurnRunner.Context context() {
        return new TurnRunner.Context(keys.settings(), keys.coordinator(), this::price);
    }

    private void startTurn(WorkItem item) {
        turnDone(turns.start(item, context()));
    }

    private void onApiDone(TurnRunner.ApiDone done) {
        if (!turns.settle(done)) {
            return;
        }
        statusChanged();
        if (running) {
            turnDone(turns.answer(done, context()));
        }
    }

    /** A turn moved on: the status says so, whatever else it answered. */
    private void turnDone(List<Effect> effects) {
        statusChanged();
        apply(effects);
    }

    /** Does what a piece answered, in order: the loop alone tells, notifies and finishes turns. */
    private void apply(List<Effect> effects) {
        if (!effects.isEmpty()) {
            statusChanged();
        }
        for (Effect e : effects) {
            if (e instanceof Effect.Tell t) {
                emit(t.event());
            } else if (e instanceof Effect.LastError l) {
                lastError = l.message();
            } else if (e instanceof Effect.Problem p) {
                problem(p.message());
            } else if (e instanceof Effect.Stopped s) {
                lastError = s.detail();
                schedule.urgent();
                emit(new RelayEvent.StateChanged(RelayState.ERROR, s.detail()));
            } else if (e instanceof Effect.Alert a) {
                notify(a.notification());
            } else if (e instanceof Effect.Urgent) {
                schedule.urgent();
            } else if (e instanceof Effect.IoFailed f) {
                apply(io.failed(f.what(), f.cause(), clock.instant()));
            } else if (e instanceof Effect.Answered a) {
                finish(a.item(), a.reply(), a.needsJc(), true);
            }
        }
    }

    /**
     * Finishes an answered turn: its reply held, its id recorded, its item removed, its reply released. With the reply
     * durable, the next turn may start at once ({@code startNext}): its API call overlaps this item's remaining file
     * work (outbox, removal, delivery), whose order within the item is unchanged.
     */
    private void finish(WorkItem item, Turn reply, boolean needsJc, boolean startNext) {
        finisher.add(TurnFinisher.Finish.answered(item, reply, needsJc));
        if (startNext && !needsJc && !turns.retry().held()) {
            try {
                nextWork().ifPresent(this::startTurn);
            } catch (RuntimeException e) {
                ioFailure("starting the next turn failed", e);
            }
        }
        if (needsJc) {
            String text = reply.content();
            pause.askedForJc(clock.instant(), text);
            apply(pause.set(RelayState.NEEDS_JC, "the coordinator asks for JC", clock.instant()));
            notify(new Notification("Relay needs JC", text.length() > 1000 ? text.substring(0, 1000) + "..." : text,
                    Notification.URGENT, List.of("rotating_light")));
        }
        advanceFinishing();
        pumpOutbox();
    }

    private void advanceFinishing() {
        TurnFinisher.Advanced advanced = finisher.advance();
        for (TurnFinisher.Finish f : advanced.done()) {
            statusChanged();
            f.to().ifPresent(session -> emit(new RelayEvent.ReplyQueued(session, f.direct())));
        }
        advanced.failed().ifPresent(failed -> ioFailure("finishing the turn of " + failed.item().describe()
                + " failed (it resumes where it stopped)", failed.cause()));
    }

    private Price price() {
        String model = keys.settings().model();
        return keys.settings().prices().forModel(model).orElseGet(() -> {
            problemOnce("no price for model " + model + ": costs are shown as $0; add it under prices: in config.yaml");
            return new Price(0, 0, 0, 0, 0);
        });
    }

    // ---------------------------------------------------------------- dispatch and faults

    private void pumpOutbox() {
        for (Delivery.Outcome outcome : delivery.pump()) {
            statusChanged();
            apply(Delivery.effects(outcome));
        }
    }

    /**
     * Something the loop had to do failed (a full disk, a directory made read-only): what was done stays done, what
     * was not is done again after a bounded, growing pause; the failure is logged once with a count, shown in the
     * status, and notified once if it lasts.
     */
    private void ioFailure(String what, RuntimeException e) {
        apply(io.failed(what, e, clock.instant()));
    }

    private void ioRecovered() {
        IoFaults.Ended ended = io.end(clock.instant());
        if (ended.noticed()) {
            notify(new Notification("Relay writes its files again", "after " + ended.failures() + " failures: "
                    + ended.cause(), Notification.DEFAULT, List.of("white_check_mark")));
            emit(new RelayEvent.StateChanged(effectiveState(), "the relay writes its files again"));
        }
        schedule.urgent();
    }

    // ---------------------------------------------------------------- control and state

    private void takeControlCommands() {
        for (ControlFiles.Command command : control.take()) {
            switch (command) {
                case PAUSE -> setPause(RelayState.PAUSED, "paused by the operator");
                case RESUME -> {
                    reloadSecrets();
                    turns.resumed();
                    setPause(RelayState.RUNNING, "resumed by the operator");
                }
            }
        }
    }

    private void reloadSecrets() {
        try {
            if (keys.reload(clock.instant()) && turns.keyFound()) {
                statusChanged();
            }
        } catch (RuntimeException e) {
            problemOnce("cannot re-read the secrets: " + e.getMessage());
        }
    }

    private void setPause(RelayState state, String why) {
        apply(pause.set(state, why, clock.instant()));
    }

    private RelayState effectiveState() {
        return StatusBuilder.state(pause.pause(), turns.retry(), io.lasting());
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

    // ---------------------------------------------------------------- status

    private void statusChanged() {
        schedule.changed();
    }

    /**
     * Writes status.json when it is due (see {@link StatusSchedule}). When it cannot be written, the snapshot (what an
     * in-process console shows) is still current, and the write is tried again each second, not at once.
     */
    private void writeStatusIfDue() {
        Instant now = clock.instant();
        if (schedule.due(now)) {
            try {
                writeStatus();
            } catch (RuntimeException e) {
                schedule.failed(now);
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
            schedule.taken();
        }
        snapshot.set(status);
        statusFile.write(status);
        schedule.written(now);
    }

    /** What the status says now; a Claude Code session's failure seen for the first time is notified. */
    private StatusBuilder.Facts facts(Instant now) {
        Map<SessionId, SessionRecord.Failure> failures = SessionFailures.scan(home);
        Map<SessionId, Instant> reported = intake.lastReportAt();
        List<StatusBuilder.SessionFacts> sessions = new ArrayList<>();
        Settings settings = keys.settings();
        for (SessionId s : StatusBuilder.sessions(settings, outbox.sessions(), reported.keySet(), failures.keySet())) {
            SessionRecord.Failure failure = failures.get(s);
            sessions.add(new StatusBuilder.SessionFacts(s, outbox.count(s), Files.exists(home.inputFile(s)),
                    reported.get(s), delivery.lastDispatchTo(s).orElse(null), failure, delivery.blocked().get(s)));
            if (failure != null && SessionFailures.firstNotice(home, s, failure)) {
                LOG.warn("Claude Code session {} stopped on an API error: {}", s, failure.describe());
                notify(new Notification("Claude Code session " + s + " failed", failure.describe(), Notification.HIGH,
                        List.of("warning")));
            }
        }
        Optional<Map.Entry<SessionId, Instant>> last = delivery.lastDispatch();
        return new StatusBuilder.Facts(ProcessHandle.current().pid(), startedAt, now, settings, pause.pause(), turns.retry(),
                turns.callInFlight(), turns.open().isPresent(), io.lasting(), io.cause(), last.map(Map.Entry::getKey),
                last.map(Map.Entry::getValue).orElse(null), queueIndex.size(), queueIndex.oldest().map(QueueDirectory.Entry::modifiedAt),
                queue.rejectedCount(), conversation.chars(), conversation.turns().size(), conversation.totalUsage(),
                turns.lastTurnCost(), turns.lastTtl(), keys.coordinator().isPresent(), lastError, sessions);
    }
}
