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
import dev.relay.core.Keys;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.notify.Notification;
import dev.relay.notify.Notifier;
import dev.relay.queue.QueueDirectory;
import dev.relay.queue.QueueIndex;
import dev.relay.queue.Rejection;
import dev.relay.state.ControlFiles;
import dev.relay.state.PauseFile;
import dev.relay.state.RelayState;
import dev.relay.state.Status;
import dev.relay.state.TakenIds;
import dev.relay.spend.SpendBook;
import dev.relay.trail.Trail;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of the relay's work, in its order (CONTRACT section 4), on the loop's thread: the collaborators answer
 * values; the round alone orders the steps, applies what they answered (events, notifications, finished turns) and
 * keeps the status. {@link RelayLoop} runs it on its thread and wakes it; tests step it on theirs.
 */
final class RelayRound {
    private static final Logger LOG = LoggerFactory.getLogger(RelayLoop.class);   // the relay log names the loop, as it always has
    private static final Duration RESCAN = Duration.ofSeconds(1);
    /** How often the spend book is written durably (a crash loses nothing: the journal's turns are counted again). */
    private static final Duration SPEND_FLUSH = Duration.ofSeconds(1);

    private final Home home;
    private final Clock clock;
    private final Keyring keys;
    private final Notifier notifier;
    private final QueueDirectory queue;
    private final QueueIndex queueIndex;
    private final Outbox outbox;
    private final ControlFiles control;
    private final StatusKeeper status;
    private final PauseKeeper pause;
    private final OperatorInbox operator;
    private final Delivery delivery;
    private final InboxDriver inbox;
    private final Trail trail;
    private static final int QUEUED_REMEMBERED = 20_000;
    /** How far back a start looks in the record for the steps a kill kept out of it. */
    private static final long TRAIL_LOOKBACK = 4L << 20;
    private final java.util.LinkedHashSet<String> queuedSeen = new java.util.LinkedHashSet<>();
    /** Reports raised as inbox items in this run (one resolved without an answer is not raised again). */
    private final Set<String> reportsRaised = new HashSet<>();
    private Consumer<SessionId> agentRestarts = session -> LOG.warn("no agent {} to restart here", session);
    private final IoFaults io = new IoFaults(LOG);
    private final StuckQueue stuck = new StuckQueue();
    private final List<Consumer<RelayEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> reportedProblems = new HashSet<>();

    private ConversationStore conversation;
    private TakenIds takenIds;
    private Intake intake;
    private Recovery recovery;
    private TurnFinisher finisher;
    private TurnRunner turns;
    private BudgetKeeper budgets;
    private Instant spendFlushedAt = Instant.MIN;
    private BooleanSupplier running = () -> true;
    private BiConsumer<TurnStep, String> faults = (step, key) -> {};
    private String lastError;
    private Instant startedAt;
    private Instant lastRescan = Instant.MIN;
    /** The envelopes a batched reply did not answer, each to be asked for in a turn of its own. */
    private final ArrayDeque<WorkItem> followUps = new ArrayDeque<>();
    /** Whether the last envelopes taken were a batch: while loaded, a turn lingers for others to join it. */
    private boolean loaded;
    private Instant freeSince = Instant.MIN;
    private Instant lingerUntil;

    RelayRound(Settings settings, Clock clock, Function<Settings, Optional<Coordinator>> coordinators,
               Function<Settings, Settings> secretsReloader, Notifier notifier,
               Function<SessionId, DispatchTarget> targets, DirectoryWatch watch) {
        this.home = settings.home();
        this.clock = clock;
        this.keys = new Keyring(settings, coordinators, secretsReloader);
        this.notifier = notifier;
        this.queue = new QueueDirectory(home.queueDir(), settings.maxEnvelopeBytes(), clock);
        this.queueIndex = new QueueIndex(queue);
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.control = new ControlFiles(home.controlDir());
        this.status = new StatusKeeper(home);
        this.pause = new PauseKeeper(new PauseFile(home.pauseFile()));
        this.operator = new OperatorInbox(home.jcInputFile(), home.operatorDir(), clock);
        this.delivery = new Delivery(home, outbox, targets, clock, watch, this::reach);
        this.inbox = new InboxDriver(new Inbox(home.inboxFile(), clock));
        this.trail = new Trail(home.trailFile());
    }

    /** Who restarts a container agent when the operator asks from the inbox. */
    void onAgentRestart(Consumer<SessionId> restarts) {
        this.agentRestarts = restarts;
    }

    void addListener(Consumer<RelayEvent> listener) {
        listeners.add(listener);
    }

    Status snapshot() {
        return status.snapshot();
    }

    Settings settings() {
        return keys.settings();
    }

    /**
     * Opens the home's files. Coordinator calls run on {@code calls} and report to {@code results}; {@code running}
     * says whether the loop still runs (an answer that comes while it stops is left to the next start).
     */
    void open(Executor calls, Consumer<Object> results, BooleanSupplier running) {
        this.running = running;
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
        turns = new TurnRunner(conversation, clock, calls, results, this::reach);
        SpendBook book = SpendBook.open(home.spendFile(), keys.settings().budgets().zone());
        book.damage().ifPresent(this::problem);
        int missed = book.reconcile(conversation.turns(), conversation::chargesOf);
        if (missed > 0) {
            LOG.info("{} answered turn{} the spend book had not counted (the relay stopped first) counted from the history",
                    missed, missed == 1 ? "" : "s");
        }
        budgets = new BudgetKeeper(book, inbox, () -> keys.settings().budgets());
        apply(pause.load());
        keys.open();
        reconcileTrail();
    }

    private static boolean modifiedSince(Path file, Instant since) {
        try {
            return !Files.getLastModifiedTime(file).toInstant().isBefore(since);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The steps a kill may have kept out of the record: a reply handed to its session (dispatch/S/.input.json names
     * it) whose dispatch, or whose reading (input.txt gone), was not appended before the relay died.
     */
    private void reconcileTrail() {
        List<Trail.Step> recent = trail.tail(TRAIL_LOOKBACK);
        Set<String> dispatched = new HashSet<>();
        Set<String> read = new HashSet<>();
        for (Trail.Step s : recent) {
            if (s.reply() != null && "dispatched".equals(s.step())) {
                dispatched.add(s.session() + "/" + s.reply());
            } else if (s.reply() != null && "read".equals(s.step())) {
                read.add(s.session() + "/" + s.reply());
            }
        }
        Instant lookedBackTo = recent.isEmpty() ? Instant.MIN : recent.get(0).instant();
        for (SessionId s : outbox.sessions()) {
            if (!modifiedSince(home.inputLabelFile(s), lookedBackTo)) {
                continue;   // handed over before the part of the record looked at: its steps are further back
            }
            dev.relay.dispatch.InputLabel.read(home.inputLabelFile(s)).ifPresent(label -> {
                String key = s.value() + "/" + label.keyDigest();
                if (!dispatched.contains(key)) {
                    trail("dispatched", null, s.value(), label.keyDigest(), "file", "(recorded at the next start)", clock.instant());
                }
                if (!Files.exists(home.inputFile(s)) && !read.contains(key)) {
                    trail("read", null, s.value(), label.keyDigest(), s.value(), "input.txt taken (recorded at the next start)",
                            clock.instant());
                }
            });
        }
    }

    void close() {
        flushSpend();
        trail.close();
        if (conversation != null) {
            conversation.close();
        }
        if (takenIds != null) {
            takenIds.close();
        }
    }

    void useRetryPolicy(RetryPolicy policy) {
        turns.useRetryPolicy(policy);
    }

    void injectFaults(BiConsumer<TurnStep, String> before) {
        this.faults = before;
    }

    private void reach(TurnStep step, String key) {
        faults.accept(step, key);
    }

    /** One round: its steps, then the status when it is due; the end of a run of I/O failures is told. */
    void round() {
        io.beginRound();
        boolean stepped = false;
        try {
            stepped = step();
        } catch (RuntimeException e) {
            ioFailure("a relay step failed", e);
        }
        Instant now = clock.instant();
        try {
            settleInbox();
        } catch (RuntimeException e) {
            ioFailure("updating the inbox failed", e);
        }
        try {
            if (budgets.check(now, this::configuredSessions)) {
                status.changed();
            }
            boolean flushDue = Duration.between(spendFlushedAt, now).compareTo(SPEND_FLUSH) >= 0 || now.isBefore(spendFlushedAt);
            if (flushDue && !io.pausing(now)) {
                spendFlushedAt = now;   // before the write: one that fails is tried again a second later, not each round
                budgets.book().flush();
            }
        } catch (RuntimeException e) {
            ioFailure("keeping the spend book failed", e);
        }
        apply(status.writeIfDue(now, () -> facts(now)));
        if (io.overAfter(stepped)) {
            ioRecovered();
        }
    }

    /** The queue's directory changed: the names it gave, or all of it when the watch overflowed. */
    void queueChanged(DirectoryWatch.Change change) {
        if (change.overflow()) {
            lastRescan = Instant.MIN;
        }
        change.names().forEach(name -> queueIndex.changed(home.queueDir().resolve(name)));
    }

    /** Makes the next round rescan the queue, as the directory watch would have told it. */
    void rescanNext() {
        lastRescan = Instant.MIN;
    }

    /** When the loop must wake at the latest: the rescan, a retry, a blocked session, a status write. */
    Instant nextWake(Instant now) {
        List<Instant> wakes = new ArrayList<>(List.of(now.plus(RESCAN)));
        if (io.pausing(now)) {
            wakes.add(io.retryAt());
        } else {
            turns.retryAt(now).ifPresent(wakes::add);
        }
        delivery.blocked().values().forEach(b -> wakes.add(b.retryAt()));
        status.wakeFor(now).ifPresent(wakes::add);
        if (lingerUntil != null && lingerUntil.isAfter(now)) {
            wakes.add(lingerUntil);
        }
        return wakes.stream().min(Instant::compareTo).orElseThrow();
    }

    private void flushSpend() {
        if (budgets != null) {
            try {
                budgets.book().flush();
            } catch (RuntimeException e) {
                LOG.warn("cannot write the spend book on the way out: {}", e.getMessage());
            }
        }
    }

    private java.util.Set<String> configuredSessions() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        keys.settings().sessions().forEach(s -> out.add(s.id().value()));
        return out;
    }

    /** The agents' side of the budgets: whether a container session's agent may start a new run (any thread). */
    boolean mayStartAgent(SessionId session) {
        return budgets == null || budgets.mayStartAgent(session);
    }

    /** What a container agent's result reported it spent (any thread); false when it was counted already. */
    boolean agentSpent(SessionId session, Optional<String> sdkSession, double costUsd, double totalUsd) {
        return budgets != null && budgets.book().countAgent(session.value(), sdkSession, costUsd, totalUsd, clock.instant());
    }

    /** The running total the agent's SDK session last reported, so that its next run's first result is not counted twice. */
    java.util.OptionalDouble agentTotal(SessionId session, String sdkSession) {
        return budgets == null ? java.util.OptionalDouble.empty() : budgets.book().agentTotal(session.value(), sdkSession);
    }

    /** The status written once more on the way out. */
    void writeLastStatus() {
        Instant now = clock.instant();
        status.write(now, () -> facts(now));
    }

    // ---------------------------------------------------------------- the step

    /** One round of the loop's work; false when it was skipped, pausing after an I/O failure. */
    boolean step() {
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
        carryOutInboxActions(now);
        advanceFinishing();   // turns an error left half-finished resume at their first missing step
        turns.unrecorded().ifPresent(done -> turnDone(turns.record(done, context())));
        pumpOutbox();
        takeOperatorInput();
        intake.screenNewEnvelopes(this::rejected, this::queued);
        if (keys.lookAgain(now)) {
            reloadSecrets();
        }
        if (turns.busy() || !finisher.isEmpty()) {
            return true;   // a session's replies keep their order: nothing new starts before the last turn is out
        }
        if (operatorCoordinates()) {
            coordinateAsOperator(now);
            return true;
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
        checkStuck(now);
        nextWork().ifPresent(this::startTurn);
        return true;
    }

    /**
     * The next work item: the operator's messages first, then (unless paused) the follow-ups a batched reply left,
     * then the oldest envelopes: several together when several wait and batching is on.
     */
    private Optional<WorkItem> nextWork() {
        if (operatorCoordinates()) {
            return Optional.empty();
        }
        Optional<WorkItem> operatorItem = nextOperatorItem(true);
        if (operatorItem.isPresent() || pause.state() != RelayState.RUNNING) {
            return operatorItem;
        }
        for (java.util.Iterator<WorkItem> it = followUps.iterator(); it.hasNext(); ) {
            WorkItem f = it.next();
            if (!Files.exists(f.file())) {
                it.remove();
            } else if (f.replyTo().map(budgets::mayTake).orElse(true)) {
                it.remove();
                return Optional.of(f);
            }
        }
        if (budgets.check(clock.instant(), this::configuredSessions)) {
            status.changed();   // the turn just answered may have reached a limit: no report is taken past it
        }
        Settings.BatchSettings batch = keys.settings().batch();
        List<WorkItem> reports = intake.next(finisher::isFinishing, this::rejected, batch.maxEnvelopes(), batch.maxChars(),
                budgets::mayTake);
        if (reports.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (batch.on() && loaded && reports.size() < batch.maxEnvelopes() && now.isBefore(freeSince.plus(batch.linger()))) {
            lingerUntil = freeSince.plus(batch.linger());   // loaded: a moment more for others to join this turn
            return Optional.empty();
        }
        lingerUntil = null;
        // Under load a lone report is still a batched turn (of one): a change between the two forms of request
        // (tool_choice) costs a re-read of the whole history's cache. A report that came after the linger finds the
        // relay quiet again: a plain-text turn.
        boolean batched = batch.on() && (reports.size() > 1
                || loaded && !reports.get(0).at().isAfter(freeSince.plus(batch.linger())));
        loaded = batched;
        return Optional.of(batched ? WorkItem.batch(reports) : reports.get(0));
    }

    // ---------------------------------------------------------------- the record of every message

    /** The name of the message in {@code file}: its file name without the extension. */
    static String messageId(Path file) {
        return Trail.messageName(file);
    }

    /** An envelope seen for the first time in this run (one edited or seen again after a rescan is not queued again). */
    private void queued(dev.relay.queue.QueuedEnvelope env) {
        if (!queuedSeen.add(messageId(env.file()))) {
            return;
        }
        if (queuedSeen.size() > QUEUED_REMEMBERED) {
            queuedSeen.remove(queuedSeen.iterator().next());
        }
        trail("queued", env.file(), env.envelope().session().value(), null, env.envelope().session().value(),
                preview(env.envelope().content()), env.modifiedAt());
    }

    private static String preview(String text) {
        String t = text.strip();
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    private void trail(String step, Path file, String session, String reply, String by, String text, Instant at) {
        trail.append(new Trail.Step(at.toString(), step, file == null ? null : messageId(file), session, reply, by, text));
    }

    /** The answered step, with what its turn cost its session (a batch's share), when that is known. */
    private void trailAnswered(WorkItem item, String by, String text, Double cost) {
        trail.append(new Trail.Step(clock.instant().toString(), "answered", messageId(item.file()),
                item.replyTo().map(SessionId::value).orElse(null), Keys.digest(item.key()), by, text, cost));
    }

    private void trail(String step, WorkItem item, String reply, String by, String text) {
        trail(step, item.file(), item.replyTo().map(SessionId::value).orElse(null), reply, by, text, clock.instant());
    }

    private void rejected(Rejection r) {
        trail("rejected", r.movedTo(), null, null, "relay", r.reason(), clock.instant());
        LOG.warn("rejected {}: {} (moved to {})", r.name(), r.reason(), home.root().relativize(r.movedTo()));
        status.changed();
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

    /**
     * The oldest operator message for the coordinator; direct messages are sent here, since they need no API call.
     * Without {@code coordinatorTurns} (the operator is the coordinator) a message for the coordinator waits.
     */
    private Optional<WorkItem> nextOperatorItem(boolean coordinatorTurns) {
        for (Path file : operator.files()) {
            if (finisher.isFinishing(file)) {
                continue;
            }
            OperatorInbox.Message m = operator.message(file, operatorReplyTo());
            if (m.direct().isEmpty()) {
                if (!coordinatorTurns) {
                    problemOnce("the operator's message " + file.getFileName() + " for the coordinator waits: you are the"
                            + " coordinator until a model is configured (write to a session with @SESSION: ...)");
                    continue;
                }
                return Optional.of(m.item());
            }
            DirectMessage direct = m.direct().get();
            apply(OperatorInbox.sent(m.item(), direct, clock.instant()));
            trail("sent", m.item(), Keys.digest(m.item().key()), Turn.OPERATOR, preview(direct.message()));
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
    void recover() {
        try {
            Recovery.Found found = recovery.answered(operatorReplyTo());
            for (Recovery.Answered a : found.answered()) {
                LOG.info(a.item().speaker().equals(Turn.OPERATOR)
                        ? "the operator's message {} was answered before a restart; finishing its turn"
                        : "envelope {} was answered before a restart; finishing its turn", a.item().file().getFileName());
            }
            finish(found.answered(), false, true);
            followUps.addAll(found.followUps());
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
        for (WorkItem report : item.isBatch() ? item.members() : List.of(item)) {
            report.replyTo().filter(s -> !Turn.OPERATOR.equals(report.speaker())).ifPresent(s -> budgets.took(s, clock.instant()));
            inbox.clear(reportKey(report.file()), "the coordinator answers it");
            trail("taken", report, null, keys.settings().model(), item.isBatch() ? "in a batch of " + item.members().size() : null);
        }
        turnDone(turns.start(item, context()));
    }

    void onApiDone(TurnRunner.ApiDone done) {
        if (!turns.settle(done)) {
            return;
        }
        status.changed();
        if (running.getAsBoolean()) {
            turnDone(turns.answer(done, context()));
        }
    }

    /** A turn moved on: the status says so, whatever else it answered. */
    private void turnDone(List<Effect> effects) {
        status.changed();
        apply(effects);
    }

    /** Does what a piece answered, in order: the loop alone tells, notifies and finishes turns. */
    private void apply(List<Effect> effects) {
        if (!effects.isEmpty()) {
            status.changed();
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
                status.urgent();
                emit(new RelayEvent.StateChanged(RelayState.ERROR, s.detail()));
            } else if (e instanceof Effect.Alert a) {
                notify(a.notification());
            } else if (e instanceof Effect.Raise r) {
                raise(r.raise());
            } else if (e instanceof Effect.Urgent) {
                status.urgent();
            } else if (e instanceof Effect.IoFailed f) {
                apply(io.failed(f.what(), f.cause(), clock.instant()));
            } else if (e instanceof Effect.Summarized s) {
                budgets.book().countSummary(s.at(), s.usage());
            } else if (e instanceof Effect.Answered a) {
                budgets.counted(a.reply(), conversation.chargesOf(a.reply()), Optional.empty());
                finish(a.item(), a.reply(), true);
            }
        }
    }

    /**
     * Finishes an answered turn: its reply held, its id recorded, its item removed, its reply released. With the reply
     * durable, the next turn may start at once ({@code startNext}): its API call overlaps this item's remaining file
     * work (outbox, removal, delivery), whose order within the item is unchanged. A batch is finished report by
     * report: each with its session's answer, a report the reply did not answer left for a follow-up turn.
     */
    private void finish(WorkItem item, Turn reply, boolean startNext) {
        freeSince = clock.instant();
        boolean reviewable = !Turn.OPERATOR.equals(reply.speaker());   // the operator's own answer is not held for them
        if (!item.isBatch()) {
            finish(List.of(new Recovery.Answered(item, reply.content(), chargedTo(reply, item))), startNext, reviewable);
            return;
        }
        List<Recovery.Answered> parts = new ArrayList<>();
        for (WorkItem report : item.members()) {
            Optional<String> text = reply.answerFor(report.speaker());
            if (text.isPresent()) {
                parts.add(new Recovery.Answered(report, text.get(), chargedTo(reply, report)));
            } else {
                LOG.info("the reply to {} did not answer {}; asking for it in a turn of its own", item.describe(), report.speaker());
                followUps.add(WorkItem.followUp(report));
            }
        }
        finish(parts, startNext, true);
    }

    /** What {@code reply}'s turn charged the session of {@code item}; null when it charged nothing (the operator's). */
    private Double chargedTo(Turn reply, WorkItem item) {
        Map<String, Double> charges = conversation.chargesOf(reply);
        if (charges.isEmpty()) {
            return reply.usage().unpriced() ? null : 0.0;
        }
        Double c = charges.get(item.speaker());
        return c != null ? c : item.replyTo().map(s -> charges.get(s.value())).orElse(null);
    }

    /**
     * Finishes answered items; one whose text asks for the operator is held for JC, not sent, and one under review
     * ({@code review:}) is held as an inbox item for the operator to approve, edit or reject (the relay goes on).
     */
    private void finish(List<Recovery.Answered> parts, boolean startNext, boolean reviewable) {
        List<Recovery.Answered> forJc = new ArrayList<>();
        for (Recovery.Answered part : parts) {
            boolean jc = Turns.needsJc(keys.settings(), part.text());
            boolean held = reviewable && part.item().replyTo().map(s -> keys.settings().reviewOf(s).holds(jc)).orElse(false);
            trailAnswered(part.item(), reviewable ? keys.settings().model() : Turn.OPERATOR, preview(part.text()), part.cost());
            if (held || jc) {
                trail("held", part.item(), null, "relay", held ? "for review" : "for JC: the relay pauses");
            }
            finisher.add(TurnFinisher.Finish.answered(part.item(), part.text(), jc || held));
            if (held) {
                holdForReview(part, jc);
            } else if (jc) {
                forJc.add(part);
            }
        }
        if (startNext && forJc.isEmpty() && !turns.retry().held()) {
            try {
                nextWork().ifPresent(this::startTurn);
            } catch (RuntimeException e) {
                ioFailure("starting the next turn failed", e);
            }
        }
        for (Recovery.Answered part : forJc) {
            String text = part.text();
            pause.askedForJc(clock.instant(), text);
            apply(pause.set(RelayState.NEEDS_JC, "the coordinator asks for JC", clock.instant()));
            String about = part.item().replyTo().map(s -> " about " + s).orElse("");
            raise(new Inbox.Raise(Kind.NEEDS_JC, Severity.URGENT,
                    InboxDriver.key(Kind.NEEDS_JC, part.item().replyTo().map(SessionId::value).orElse(null)),
                    part.item().replyTo().map(SessionId::value), "Relay needs JC"
                    + (parts.size() > 1 || !followUps.isEmpty() ? about : ""), text));
        }
        advanceFinishing();
        pumpOutbox();
    }

    private void advanceFinishing() {
        TurnFinisher.Advanced advanced = finisher.advance();
        for (TurnFinisher.Finish f : advanced.done()) {
            status.changed();
            f.to().ifPresent(session -> emit(new RelayEvent.ReplyQueued(session, f.direct())));
        }
        advanced.failed().ifPresent(failed -> ioFailure("finishing the turn of " + failed.item().describe()
                + " failed (it resumes where it stopped)", failed.cause()));
    }

    /** The model's price; none (said once) when the table has no entry for it: its turns are then unpriced, not $0. */
    private Optional<Price> price() {
        String model = keys.settings().model();
        Optional<Price> price = keys.settings().prices().forModel(model);
        if (price.isEmpty()) {
            problemOnce("no price for model " + model + ": its turns are counted as unpriced (their cost is unknown, not $0,"
                    + " and budgets cannot count it); add the model under prices: in config.yaml");
        }
        return price;
    }

    // ---------------------------------------------------------------- dispatch and faults

    private void pumpOutbox() {
        for (Delivery.Outcome outcome : delivery.pump()) {
            status.changed();
            if (outcome instanceof Delivery.Delivered d) {
                trail("dispatched", null, d.session().value(), d.digest(),
                        keys.settings().isContainerSession(d.session()) ? "container" : "file", null, clock.instant());
            } else if (outcome instanceof Delivery.Read r) {
                trail("read", null, r.session().value(), r.digest(), r.session().value(),
                        keys.settings().isContainerSession(r.session()) ? "the container has it" : "input.txt taken",
                        clock.instant());
            }
            apply(Delivery.effects(outcome));
        }
    }

    /**
     * Something the loop had to do failed (a full disk, a directory made read-only): what was done stays done, what
     * was not is done again after a bounded, growing pause; the failure is logged once with a count, shown in the
     * status, and notified once if it lasts.
     */
    void ioFailure(String what, RuntimeException e) {
        apply(io.failed(what, e, clock.instant()));
    }

    void ioRecovered() {
        IoFaults.Ended ended = io.end(clock.instant());
        if (ended.noticed()) {
            notify(new Notification("Relay writes its files again", "after " + ended.failures() + " failures: "
                    + ended.cause(), Notification.DEFAULT, List.of("white_check_mark")));
            emit(new RelayEvent.StateChanged(effectiveState(), "the relay writes its files again"));
        }
        status.urgent();
    }

    // ---------------------------------------------------------------- the inbox

    private void raise(Inbox.Raise r) {
        Item item = inbox.raise(r);   // logged by the inbox
        status.changed();
        emit(new RelayEvent.Raised(item));
    }

    /** The stuck-queue item: raised once the oldest envelope waits too long, resolved when the queue moves again. */
    private void checkStuck(Instant now) {
        Optional<QueueDirectory.Entry> oldest = queueIndex.oldest();
        Duration threshold = keys.settings().stuckQueueThreshold();
        if (oldest.isEmpty() || Duration.between(oldest.get().modifiedAt(), now).compareTo(threshold) <= 0) {
            inbox.clear(InboxDriver.key(Kind.STUCK_QUEUE, null), "the queue moves again");
            return;
        }
        stuck.check(oldest.get().name(), oldest.get().modifiedAt(), queueIndex.size(), threshold, now,
                effectiveState().wire(), lastError).ifPresent(msg -> {
                    LOG.warn("queue stuck: {}", msg);
                    raise(new Inbox.Raise(Kind.STUCK_QUEUE, Severity.HIGH, InboxDriver.key(Kind.STUCK_QUEUE, null),
                            Optional.empty(), "Relay queue stuck", msg));
                });
    }

    /** Items whose cause is gone resolve themselves: the question once the relay runs again, the error once it is over. */
    private void settleInbox() {
        RelayState state = effectiveState();
        if (state != RelayState.NEEDS_JC) {
            inbox.clearKind(Kind.NEEDS_JC, "the relay runs again");
        }
        if (state != RelayState.ERROR) {
            inbox.clearKind(Kind.RELAY_ERROR, "the relay is no longer in error");
        }
    }

    /**
     * Carries out the actions recorded on items (from the console, a command or the phone) and queues each one's
     * receipt. An answer becomes the operator's message under a name fixed by the action, so an action carried out
     * again after a crash (before it was marked as carried out) finds its message and does not send it twice.
     */
    private void carryOutInboxActions(Instant now) {
        inbox.refresh(now);
        for (Inbox.Pending p : inbox.pending()) {
            Item item = p.item();
            Item.Entry e = p.entry();
            String from = e.source().from();
            if (item.kind() == Kind.REPORT && e.action() == Action.ANSWER) {
                Optional<String> outcome = answerReport(p);
                if (outcome.isEmpty()) {
                    continue;   // an earlier report of its session is answered first: it waits for that one
                }
                inbox.applied(p, Optional.of(receipt(item, e, outcome.get())));
                status.changed();
                continue;
            }
            switch (e.action()) {
                case RESUME -> {
                    reloadSecrets();
                    turns.resumed();
                    setPause(RelayState.RUNNING, "resumed " + from);
                }
                case ANSWER -> {
                    if (item.kind() == Kind.NEEDS_JC) {
                        answerAsOperator(p);
                        if (pause.state() == RelayState.NEEDS_JC) {
                            setPause(RelayState.RUNNING, "the operator answered " + from);
                        }
                    } else if (item.kind() == Kind.HELD_REPLY) {
                        sendHeld(p, e.text().orElse(""), "edited");
                    }
                }
                case APPROVE -> sendHeld(p, item.text(), "approved");
                case REJECT -> rejectHeld(p);
                case RESTART -> item.session().filter(SessionId::isValid).map(SessionId::of).ifPresent(agentRestarts);
                case RAISE, RESUME_ONCE -> {
                    Optional<String> scope = BudgetKeeper.scopeOf(item.key());
                    String outcome = scope.isEmpty() ? " (not a budget's item)" : e.action() == Action.RAISE
                            ? budgets.raise(scope.get(), e.text(), now) : budgets.resumeOnce(scope.get(), now);
                    inbox.applied(p, Optional.of(receipt(item, e, outcome)));
                    status.changed();
                    continue;
                }
                default -> { }
            }
            inbox.applied(p, Optional.of(receipt(item, e, "")));
            status.changed();
        }
    }

    // ---------------------------------------------------------------- the operator as coordinator

    private static final String REPORT_PREFIX = Kind.REPORT.wire() + ":";
    /** At most this many reports are items at once: the next come as earlier ones are answered. */
    private static final int MAX_REPORT_ITEMS = 50;

    /** Whether the operator answers the reports: configured so, or {@code auto} with no API key. */
    private boolean operatorCoordinates() {
        return keys.settings().coordinatorMode().effective(keys.coordinator().isPresent())
                == Settings.CoordinatorMode.OPERATOR;
    }

    private static String reportKey(Path envelope) {
        return REPORT_PREFIX + envelope.getFileName();
    }

    /**
     * The loop's work while the operator is the coordinator: a turn left waiting for a key is given up (its report is
     * the operator's now), the operator's direct messages are sent, and each waiting envelope is an inbox item of kind
     * report, whose answer is the reply. Reports whose envelope is gone resolve themselves.
     */
    private void coordinateAsOperator(Instant now) {
        if (turns.open().isPresent()) {
            LOG.info("the turn of {} waits for no model: the operator answers it from the inbox", turns.open().get().describe());
            turns.abandon();
            turns.resumed();
            status.changed();
        }
        nextOperatorItem(false);
        for (String key : inbox.openKeys(REPORT_PREFIX)) {
            if (!Files.exists(home.queueDir().resolve(key.substring(REPORT_PREFIX.length())))) {
                inbox.clear(key, "the report no longer waits (answered, or removed from the queue)");
            }
        }
        if (pause.state() != RelayState.RUNNING) {
            return;
        }
        int open = inbox.openKeys(REPORT_PREFIX).size();
        for (QueueDirectory.Entry entry : queueIndex.entries()) {
            if (open >= MAX_REPORT_ITEMS) {
                break;
            }
            String key = reportKey(entry.file());
            if (inbox.isOpen(key) || reportsRaised.contains(key) || finisher.isFinishing(entry.file())) {
                continue;
            }
            Optional<WorkItem> report = intake.read(entry, this::rejected);
            if (report.isEmpty()) {
                continue;
            }
            WorkItem w = report.get();
            raise(new Inbox.Raise(Kind.REPORT, Severity.NORMAL, key, w.replyTo().map(SessionId::value),
                    "Report from " + w.speaker(), w.content()));
            reportsRaised.add(key);
            open++;
        }
    }

    /**
     * Carries out the operator's answer to a report: the report's user turn and the answer (an assistant turn by the
     * operator) recorded, then finished as a model's reply is (outbox, removal, dispatch). Empty while an earlier
     * report of the same session waits (a session's replies keep their order); otherwise the receipt's title.
     */
    private Optional<String> answerReport(Inbox.Pending p) {
        Path file = home.queueDir().resolve(p.item().key().substring(REPORT_PREFIX.length()));
        if (!Files.exists(file) || finisher.isFinishing(file)) {
            return Optional.of(" (it had been answered already: not sent)");
        }
        Optional<QueueDirectory.Entry> entry = queueIndex.entries().stream().filter(e -> e.file().equals(file)).findFirst();
        Optional<WorkItem> report = entry.flatMap(e -> intake.read(e, this::rejected));
        if (report.isEmpty()) {
            return Optional.of(" (the envelope could not be read: not sent)");
        }
        WorkItem w = report.get();
        for (QueueDirectory.Entry earlier : queueIndex.entries()) {
            if (earlier.file().equals(file)) {
                break;
            }
            if (!finisher.isFinishing(earlier.file()) && intake.read(earlier, this::rejected)
                    .filter(o -> o.speaker().equals(w.speaker())).isPresent()) {
                return Optional.empty();
            }
        }
        String text = p.entry().text().orElse("");
        Instant at = clock.instant();
        trail("taken", w, null, Turn.OPERATOR, null);
        if (!conversation.hasUserTurn(w.key())) {
            Turn user = w.userTurn(at);
            conversation.appendUnsynced(user);
            emit(new RelayEvent.TurnRecorded(user));
        }
        Turn reply = conversation.assistantTurn(w.key()).orElseGet(() -> {
            Turn t = Turn.byOperator(text, w.key(), at);
            conversation.append(t);
            emit(new RelayEvent.TurnRecorded(t));
            return t;
        });
        LOG.info("the operator answered {} ({} characters) {}", w.describe(), text.length(), p.entry().source().from());
        finish(w, reply, false);
        return Optional.of("");
    }

    // ---------------------------------------------------------------- held replies

    private static final String HELD_PREFIX = Kind.HELD_REPLY.wire() + ":";

    private void holdForReview(Recovery.Answered part, boolean jc) {
        String session = part.item().replyTo().map(SessionId::value).orElseThrow();
        LOG.info("the reply to {} is held for review (review: {})", part.item().describe(),
                keys.settings().reviewOf(SessionId.of(session)).wire());
        raise(new Inbox.Raise(Kind.HELD_REPLY, jc ? Severity.URGENT : Severity.HIGH, HELD_PREFIX + messageId(part.item().file()),
                Optional.of(session), "Reply to " + session + " held for review" + (jc ? " (it asks for JC)" : ""), part.text()));
    }

    /**
     * Sends a held reply (approved as it is, or the operator's edit) as a direct message to its session, under a name
     * fixed by the action: the message is written and the action marked carried out before the message is taken,
     * so carrying the action out again after a crash finds the message and does not send it twice.
     */
    private void sendHeld(Inbox.Pending p, String text, String how) {
        String session = p.item().session().orElseThrow();
        Path file = operator.dir().resolve(OperatorInbox.nameFor(p.entry().at(), p.item().code(), p.index(), Optional.empty()));
        if (!Files.exists(file)) {
            AtomicFiles.write(file, DirectMessage.format(SessionId.of(session), text));
        }
        trail(how, heldMessage(p), session, Keys.digest(OperatorInbox.key(file)), p.entry().source().wire(), preview(text),
                p.entry().at());
        LOG.info("inbox {}: the held reply to {} is sent, {} {}", p.item().code(), session, how, p.entry().source().from());
    }

    /** A rejected reply: not sent; the coordinator is told with the operator's note, and its new reply is held again. */
    private void rejectHeld(Inbox.Pending p) {
        String session = p.item().session().orElseThrow();
        Path file = operator.dir().resolve(OperatorInbox.nameFor(p.entry().at(), p.item().code(), p.index(), p.item().session()));
        if (Files.exists(file) || conversation.hasUserTurn(OperatorInbox.key(file))) {
            return;
        }
        String note = p.entry().text().map(n -> " with this note: " + n).orElse(" (no note)");
        trail("rejected", heldMessage(p), session, null, p.entry().source().wire(), p.entry().text().orElse(null), p.entry().at());
        AtomicFiles.write(file, "The operator did not send your reply to " + session + "; they rejected it" + note
                + "\nWrite your reply to " + session + " again.");
        LOG.info("inbox {}: the held reply to {} is rejected {}; the coordinator is asked again", p.item().code(), session,
                p.entry().source().from());
    }

    /** The message whose reply a held_reply item holds (its key names it), as the file it was in. */
    private Path heldMessage(Inbox.Pending p) {
        return home.queueDir().resolve(p.item().key().substring(HELD_PREFIX.length()) + ".json");
    }

    private void answerAsOperator(Inbox.Pending p) {
        String name = OperatorInbox.nameFor(p.entry().at(), p.item().code(), p.index(), p.item().session());
        Path file = operator.dir().resolve(name);
        if (Files.exists(file) || conversation.hasUserTurn(OperatorInbox.key(file))) {
            return;   // carried out before a crash: already the operator's message (or its turn)
        }
        AtomicFiles.write(file, p.entry().text().orElse(""));
        LOG.info("inbox {}: the operator's answer ({} characters) is the coordinator's next turn", p.item().code(),
                p.entry().text().orElse("").length());
    }

    /** "Resumed from the phone, 03:12", with {@code more} after it. */
    private static Inbox.NoteText receipt(Item item, Item.Entry e, String more) {
        String done = e.action().done() + (e.action() == Action.SNOOZE ? " for " + e.text().orElse("") : "");
        return new Inbox.NoteText(done + " " + e.source().from() + ", " + Inbox.clockTime(e.at()) + more,
                item.code() + ": " + item.title(), 2, List.of("white_check_mark"));
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
                status.changed();
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
        status.changed();
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

    /** What the status says now; a Claude Code session's failure seen for the first time is notified. */
    private StatusBuilder.Facts facts(Instant now) {
        Map<SessionId, SessionRecord.Failure> failures = SessionFailures.scan(home);
        Map<SessionId, Instant> reported = intake.lastReportAt();
        List<StatusBuilder.SessionFacts> sessions = new ArrayList<>();
        Settings settings = keys.settings();
        for (SessionId s : StatusBuilder.sessions(settings, outbox.sessions(), reported.keySet(), failures.keySet())) {
            SessionRecord.Failure failure = failures.get(s);
            sessions.add(new StatusBuilder.SessionFacts(s, outbox.count(s), Files.exists(home.inputFile(s)),
                    reported.get(s), delivery.lastDispatchTo(s).orElse(null), failure, delivery.blocked().get(s),
                    conversation.costBySession().getOrDefault(s.value(), 0.0)));
            String key = InboxDriver.key(Kind.AGENT_FAILED, s.value() + ":claude");
            if (failure != null && SessionFailures.firstNotice(home, s, failure)) {
                LOG.warn("Claude Code session {} stopped on an API error: {}", s, failure.describe());
                raise(new Inbox.Raise(Kind.AGENT_FAILED, Severity.HIGH, key, Optional.of(s.value()),
                        "Claude Code session " + s + " failed", failure.describe()));
            } else if (failure == null) {
                inbox.clear(key, "session " + s + " works again");
            }
        }
        Optional<Map.Entry<SessionId, Instant>> last = delivery.lastDispatch();
        return new StatusBuilder.Facts(ProcessHandle.current().pid(), startedAt, now, settings, pause.pause(), turns.retry(),
                turns.callInFlight(), turns.open().isPresent(), io.lasting(), io.cause(), last.map(Map.Entry::getKey),
                last.map(Map.Entry::getValue).orElse(null), queueIndex.size(), queueIndex.oldest().map(QueueDirectory.Entry::modifiedAt),
                queue.rejectedCount(), conversation.chars(), conversation.turns().size(), conversation.totalUsage(),
                turns.lastTurnCost(), turns.lastTtl(), keys.coordinator().isPresent(), lastError, sessions,
                StatusBuilder.lastTurn(conversation.turns()), StatusBuilder.spend(budgets.book(), budgets.standings(), settings, now));
    }}
