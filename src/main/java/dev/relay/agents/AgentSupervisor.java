package dev.relay.agents;

import dev.relay.config.AgentCredential;
import dev.relay.config.Secrets;
import dev.relay.config.SessionConfig;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.dispatch.Outbox;
import dev.relay.files.IoCause;
import dev.relay.notify.Notification;
import dev.relay.notify.Notifier;
import dev.relay.queue.EnvelopeWriter;
import dev.relay.state.AgentState;
import dev.relay.state.AgentsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the container sessions: the dispatch target of their replies (a first reply starts a container, later ones
 * are follow-up files), their results back into queue/ as envelopes, and their lifecycle: at most N at once (the
 * rest wait in order), closed when idle, stopped past a time limit, backed off after failures, found again after
 * a crash. All state lives on the {@code relay-agents} thread, which also makes the Docker calls; the relay loop
 * sees only the {@link Snapshot} it publishes after each change.
 *
 * <p>The hand-off is exactly-once by construction: {@link #deliver} takes a reply out of the outbox by a rename
 * ({@link AgentWorkspace}) before it returns true, and a claim is only ever dropped once the agent has it (its
 * container runs with it as its start line, or its follow-up is visible) or put back into the outbox under its name.
 */
public final class AgentSupervisor implements DispatchTarget, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentSupervisor.class);
    public static final String HOME_LABEL = "dev.relay.home";
    public static final String AGENT_LABEL = "dev.relay.agent";
    /** The outbox entry a container was started with (its first stdin line), so that a restart does not send it again. */
    public static final String ENTRY_LABEL = "dev.relay.entry";
    /** An unreachable Docker is asked again this long after the last try. */
    static final Duration PING_EVERY = Duration.ofSeconds(10);
    /** A lost SDK session, as the agent reports it (CONTRACT section 6): retried once with a fresh session. */
    public static final String SESSION_NOT_FOUND = "session_not_found";

    /** What one agent looks like now. */
    public record View(String slug, AgentState state, String containerId, String sessionId, Instant startedAt,
                       String lastOutput, String lastError, int failures, Instant backoffUntil) {}

    /**
     * What the supervisor publishes after each change: its agents, the order in which they wait for a slot, what
     * recovery found, and whether the containers left from before are known yet (no reply is taken before).
     */
    public record Snapshot(boolean recovered, List<View> agents, List<String> waiting, List<String> recovery,
                           Optional<String> runtimeProblem) {
        public Snapshot {
            agents = List.copyOf(agents);
            waiting = List.copyOf(waiting);
            recovery = List.copyOf(recovery);
        }

        Optional<View> agent(String slug) {
            return agents.stream().filter(v -> v.slug().equals(slug)).findFirst();
        }

        long active() {
            return agents.stream().filter(v -> v.state().holdsSlot()).count();
        }

        /** As state/agents.json has it. */
        AgentsFile.Content toFile(Instant now) {
            return new AgentsFile.Content(now.toString(), runtimeProblem.orElse(null), agents.stream()
                    .map(v -> new AgentsFile.Entry(v.slug(), v.state(), v.containerId() == null ? null : AgentRuntime.shortId(v.containerId()),
                            v.sessionId(), v.startedAt() == null ? null : v.startedAt().toString(), v.lastOutput(), v.lastError(),
                            v.failures()))
                    .toList(), recovery);
        }

        /** The loop's own note of a start it handed over, until the supervisor's next snapshot says so itself. */
        Snapshot starting(String slug) {
            List<View> out = new ArrayList<>();
            for (View v : agents) {
                out.add(!v.slug().equals(slug) ? v : new View(v.slug(), AgentState.STARTING, v.containerId(), v.sessionId(),
                        v.startedAt(), v.lastOutput(), v.lastError(), v.failures(), v.backoffUntil()));
            }
            return new Snapshot(recovered, out, waiting.stream().filter(w -> !w.equals(slug)).toList(), recovery, runtimeProblem);
        }
    }

    private final Home home;
    private final Settings settings;
    private final AgentRuntime runtime;
    private final Notifier notifier;
    private final Clock clock;
    private final Supplier<Secrets> secrets;
    private final Outbox outbox;
    private final AgentLog log;
    private final boolean scheduled;
    private final ScheduledExecutorService executor;
    private final AtomicReference<Snapshot> published;

    // ---- confined to the executor ----
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final ArrayDeque<String> waiting = new ArrayDeque<>();
    private final List<String> recovery = new ArrayList<>();
    private boolean recovered;
    /** Docker did not answer at start-up: containers left from before are looked for once it does. */
    private boolean recoveryPending;
    private String runtimeProblem;
    private Instant lastPingAt = Instant.MIN;

    /** {@code secrets} are read at each start (the operator may add a token to .env meanwhile). */
    public AgentSupervisor(Home home, Settings settings, AgentRuntime runtime, Notifier notifier, Clock clock,
                           Supplier<Secrets> secrets) {
        this(home, settings, runtime, notifier, clock, secrets, true);
    }

    /** {@code scheduled}: false in tests, which call {@link #tick()} after moving their clock. */
    AgentSupervisor(Home home, Settings settings, AgentRuntime runtime, Notifier notifier, Clock clock,
                    Supplier<Secrets> secrets, boolean scheduled) {
        this.home = home;
        this.settings = settings;
        this.runtime = runtime;
        this.notifier = notifier;
        this.clock = clock;
        this.secrets = secrets;
        this.scheduled = scheduled;
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.log = new AgentLog(home, clock);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-agents");
            t.setDaemon(true);
            return t;
        });
        HostUser host = HostUser.current();
        for (SessionConfig s : settings.containerSessions()) {
            ContainerSpecs.Computed computed = ContainerSpecs.compute(home, settings, s, host);
            agents.put(s.id().value(), new Agent(s, computed, new AgentWorkspace(home, s.id(), computed.user())));
        }
        this.published = new AtomicReference<>(snapshotNow());
    }

    /** Finds this home's containers left by an earlier run (re-attaching live ones, removing dead ones), then ticks. */
    public void start() {
        executor.execute(this::recover);
        if (scheduled) {
            executor.scheduleWithFixedDelay(this::tickSafely, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** The latest published state. */
    public Snapshot snapshot() {
        return published.get();
    }

    /** One supervision step now, on the supervisor's thread; returns once done (the tests' stand-in for the scheduler). */
    void tick() {
        onExecutor(this::tickSafely);
    }

    /** Returns once everything handed to the supervisor's thread so far is done. */
    void settle() {
        onExecutor(() -> { });
    }

    private void onExecutor(Runnable r) {
        try {
            executor.submit(r).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the supervisor's thread did not finish a step", e);
        }
    }

    // ---- dispatch (the relay loop's thread: the snapshot, and one rename) -------------------------------------

    /**
     * Takes the reply when its agent can have it now: running (a follow-up), or idle with a slot free (its start
     * line). Taken means claimed: out of the outbox before this returns. Busy otherwise: the reply stays.
     */
    @Override
    public boolean deliver(Outbox.Entry entry) {
        Snapshot s = published.get();
        Agent a = agents.get(entry.session().value());   // the map itself is never changed after construction
        Optional<View> view = s.agent(entry.session().value());
        if (a == null || view.isEmpty() || !s.recovered()) {
            return false;   // not ours, or the containers left from before are not known yet: offered again shortly
        }
        View v = view.get();
        switch (v.state()) {
            case RUNNING -> {
                Optional<Path> claim = a.workspace.claimFollowUp(entry);
                claim.ifPresent(c -> executor.execute(() -> handOver(a, c)));
                return claim.isPresent();   // empty: gone since the loop listed it (it was a start line)
            }
            case IDLE, WAITING -> {
                if (v.failures() > 0 && clock.instant().isBefore(v.backoffUntil())) {
                    return false;
                }
                boolean first = s.waiting().isEmpty() || s.waiting().get(0).equals(v.slug());
                if (!first || s.active() >= settings.agents().maxConcurrent()) {
                    if (!s.waiting().contains(v.slug())) {
                        executor.execute(() -> waitForSlot(a));
                    }
                    return false;
                }
                Optional<Path> claim = a.workspace.claimStart(entry);
                if (claim.isPresent()) {
                    published.compareAndSet(s, s.starting(v.slug()));
                    executor.execute(() -> handOver(a, claim.get()));
                }
                return claim.isPresent();
            }
            default -> {
                return false;
            }
        }
    }

    // ---- the agents' thread -----------------------------------------------------------------------------------

    private void waitForSlot(Agent a) {
        if ((a.state == AgentState.IDLE || a.state == AgentState.WAITING) && !waiting.contains(a.slug)) {
            waiting.addLast(a.slug);
            a.state = AgentState.WAITING;
            LOG.info("agent {} waits for a slot ({} of {} running)", a.slug, active(), settings.agents().maxConcurrent());
            publish();
        }
    }

    private long active() {
        return agents.values().stream().filter(x -> x.state.holdsSlot()).count();
    }

    /** A claimed reply: to the agent if it can have it now, else back into the outbox, whatever the loop saw. */
    private void handOver(Agent a, Path claim) {
        if (!java.nio.file.Files.exists(claim)) {
            return;   // put back by recovery meanwhile
        }
        try {
            if (AgentWorkspace.isStart(claim) && recoveryPending && a.state != AgentState.RUNNING) {
                a.claim = claim;
                recover();   // Docker answers now: a container of this agent may live on from before the restart
                a.claim = null;
            }
            boolean first = waiting.isEmpty() || waiting.peekFirst().equals(a.slug);
            if (a.workspace.olderWaiting(claim, outbox)) {
                giveBack(a, claim);   // an older reply went back: this one must not pass it
            } else if (a.state == AgentState.RUNNING && !AgentWorkspace.isStart(claim)) {
                a.workspace.showFollowUp(claim);
                a.awaiting++;
            } else if ((a.state == AgentState.IDLE || a.state == AgentState.WAITING) && AgentWorkspace.isStart(claim)
                    && first && active() < settings.agents().maxConcurrent()) {
                waiting.remove(a.slug);
                a.state = AgentState.STARTING;
                String prompt = AgentWorkspace.read(claim);
                if (prompt == null) {
                    a.state = AgentState.IDLE;
                } else {
                    launch(a, prompt, a.workspace.sessionId(), claim);
                }
            } else {
                giveBack(a, claim);   // the agent changed since the loop's snapshot (or re-attached): offered again
            }
        } catch (RuntimeException e) {
            LOG.warn("agent {}: cannot hand over {}: {}", a.slug, claim.getFileName(), IoCause.of(e));
            giveBack(a, claim);
        }
        publish();
    }

    private void giveBack(Agent a, Path claim) {
        try {
            a.workspace.unclaim(claim);
        } catch (UncheckedIOException e) {
            LOG.warn("agent {}: cannot put {} back into the outbox: {}", a.slug, claim, IoCause.of(e));
        }
    }

    /**
     * Starts the container; its claim is dropped in the same step that makes the agent RUNNING, and given back to the
     * outbox when the start fails.
     */
    private void launch(Agent a, String prompt, Optional<String> session, Path claim) {
        String claimed = claim == null ? null : AgentWorkspace.entryName(claim);
        Secrets current = secrets.get();
        boolean share = settings.agents().shareCoordinatorKey();
        AgentCredential credential = AgentCredential.choose(current, share).orElse(null);
        if (credential == null) {
            if (claim != null) {
                giveBack(a, claim);   // the reply waits in the outbox
            }
            fail(a, AgentCredential.missing(current, share, home.envFile()));
            publish();
            return;
        }
        try {
            AgentSpec spec = a.computed.startingWith(claimed);
            a.workspace.prepare();
            byte[] line = StartLine.encode(prompt, session, a.slug, a.config.displayName(), credential.secrets());
            RunningAgent r = runtime.start(spec, line, new Listener(a));
            if (claim != null) {
                a.workspace.drop(claim);   // the reply is the container's first line now
            }
            nowRunning(a, r, 1);
            a.currentPrompt = prompt;
            a.lastError = "";
            runtimeProblem = null;
            LOG.info("agent {} started in container {}{}, credential {}", a.slug, AgentRuntime.shortId(r.containerId()),
                    session.map(s -> ", resuming session " + s).orElse(", new session"), credential.describe());
        } catch (RuntimeException e) {
            if (claim != null) {
                giveBack(a, claim);   // the reply waits in the outbox
            }
            a.running = null;
            if (e instanceof AgentRuntimeException are && are.unreachable()) {
                a.state = AgentState.UNAVAILABLE;
                runtimeProblem = e.getMessage();
                lastPingAt = clock.instant();
                LOG.warn("agent {} cannot start: {}", a.slug, e.getMessage());
            } else if (e instanceof AgentRuntimeException) {
                fail(a, e.getMessage());
            } else if (e instanceof IllegalArgumentException) {
                fail(a, e.getMessage() + " (fix config.yaml)");
            } else {
                fail(a, "starting failed: " + e);
                LOG.error("agent {}: starting failed", a.slug, e);
            }
        }
        publish();
    }

    /** The agent's container runs, with {@code awaiting} prompts not yet answered. */
    private void nowRunning(Agent a, RunningAgent r, int awaiting) {
        a.running = r;
        a.containerId = r.containerId();
        a.state = AgentState.RUNNING;
        a.startedAt = clock.instant();
        a.lastOutputAt = a.startedAt;
        a.awaiting = awaiting;
        a.resultsThisRun = 0;
    }

    private void fail(Agent a, String why) {
        a.failures++;
        long seconds = Math.min(300, 5L << Math.min(6, a.failures - 1));
        a.backoffUntil = clock.instant().plusSeconds(seconds);
        a.state = AgentState.BACKOFF;
        a.lastError = why;
        LOG.warn("agent {}: {}; next try in {} s", a.slug, why, seconds);
        if (a.failures == 1 || a.failures % 5 == 0) {
            notifier.send(new Notification("Relay: agent " + a.slug + " failed", why, Notification.HIGH, List.of("warning")));
        }
    }

    /** Hands what the runtime reports to the supervisor's thread, in order. */
    private final class Listener implements AgentListener {
        private final Agent agent;

        Listener(Agent agent) {
            this.agent = agent;
        }

        @Override
        public void output(AgentOutput output) {
            executor.execute(() -> onOutput(agent, output));
        }

        @Override
        public void log(String line, boolean stderr) {
            executor.execute(() -> log.append(agent.config.id(), stderr ? AgentLog.Kind.ERR : AgentLog.Kind.OUT, line));
        }

        @Override
        public void exited(AgentExit exit) {
            executor.execute(() -> onExit(agent, exit));
        }
    }

    private void onOutput(Agent a, AgentOutput o) {
        a.lastOutputAt = clock.instant();
        a.awaiting = Math.max(0, a.awaiting - 1);
        a.resultsThisRun++;
        o.newSessionId().ifPresent(a.workspace::saveSessionId);
        if (o.success()) {
            a.currentPrompt = null;
            a.lastOutput = o.result().map(r -> r.length() > 200 ? r.substring(0, 200) + "…" : r).orElse("(no result)");
            publish();   // before the result is a turn: whoever sees the turn sees the session it came from
            o.result().ifPresent(result -> {
                log.append(a.config.id(), AgentLog.Kind.RESULT, result);
                // unique across runs and re-attachments: an id is taken once
                String id = "agent-" + AgentRuntime.shortId(a.containerId) + "-" + clock.millis() + "-" + a.resultsThisRun;
                EnvelopeWriter.write(home.queueDir(), SessionId.of(a.slug), result, Optional.of(id));
                LOG.info("agent {}: result {} queued as an envelope", a.slug, id);
            });
            return;
        }
        String error = o.error().orElse("error");
        a.lastError = error;
        if (o.code().filter(SESSION_NOT_FOUND::equals).isPresent() && !a.retriedStale && a.currentPrompt != null) {
            a.staleRetry = true;
        }
        LOG.warn("agent {} reported an error: {}", a.slug, error);
        log.append(a.config.id(), AgentLog.Kind.ERROR, error);
        publish();
    }

    private void onExit(Agent a, AgentExit exit) {
        a.running = null;
        a.startedAt = null;
        if (a.staleRetry) {
            a.staleRetry = false;
            a.retriedStale = true;
            a.state = AgentState.STARTING;
            LOG.warn("agent {}: its saved session is gone (stale); retrying once with a fresh session", a.slug);
            a.workspace.forgetSessionId();
            removeQuietly(a.containerId);
            launch(a, a.currentPrompt, Optional.empty(), null);
            return;
        }
        if (exit.code() == 0 && a.state != AgentState.BACKOFF) {
            a.state = AgentState.IDLE;
            a.failures = 0;
            a.retriedStale = false;
        } else if (exit.code() != 0) {
            fail(a, "container " + AgentRuntime.shortId(a.containerId) + " " + exit.describe());
        }
        removeQuietly(a.containerId);
        publish();
    }

    private void removeQuietly(String id) {
        if (id == null) {
            return;
        }
        try {
            runtime.remove(id);
        } catch (AgentRuntimeException e) {
            LOG.debug("cannot remove container {}: {}", AgentRuntime.shortId(id), e.getMessage());
        }
    }

    private void tickSafely() {
        try {
            tickNow();
        } catch (RuntimeException e) {
            LOG.error("agent supervision failed; going on", e);
        }
    }

    /** Idle agents are closed, overdue ones stopped, backoffs end, an unreachable Docker is asked again. */
    private void tickNow() {
        Instant now = clock.instant();
        boolean retryDocker = false;
        for (Agent a : agents.values()) {
            switch (a.state) {
                case RUNNING -> {
                    boolean idle = a.awaiting == 0
                            && Duration.between(a.lastOutputAt, now).compareTo(settings.agents().idleTimeout()) >= 0;
                    boolean overdue = !settings.agents().maxRun().isZero()
                            && Duration.between(a.startedAt, now).compareTo(settings.agents().maxRun()) >= 0;
                    if (idle || overdue) {
                        LOG.info("agent {}: {}; asking it to close", a.slug, idle ? "idle" : "over its time limit");
                        try {
                            a.workspace.writeClose();
                        } catch (IOException | UncheckedIOException e) {
                            LOG.warn("cannot ask agent {} to close: {}", a.slug, IoCause.of(e));
                        }
                        a.state = AgentState.CLOSING;
                        a.closeAskedAt = now;
                    }
                }
                case CLOSING -> {
                    if (a.running != null && Duration.between(a.closeAskedAt, now).compareTo(settings.agents().stopGrace()) >= 0) {
                        a.closeAskedAt = now.plus(Duration.ofDays(1));   // once
                        LOG.warn("agent {} did not close within {} s; stopping its container", a.slug, settings.agents().stopGrace().toSeconds());
                        try {
                            a.running.stop(Duration.ofSeconds(10));
                        } catch (AgentRuntimeException e) {
                            LOG.warn("stopping agent {}: {}", a.slug, e.getMessage());
                        }
                    }
                }
                case BACKOFF -> {
                    if (!now.isBefore(a.backoffUntil)) {
                        a.state = AgentState.IDLE;
                    }
                }
                case UNAVAILABLE -> retryDocker = true;
                default -> { }
            }
        }
        if (retryDocker && !now.isBefore(lastPingAt.plus(PING_EVERY))) {
            lastPingAt = now;
            try {
                runtime.ping();
                if (recoveryPending) {
                    recover();
                }
                runtimeProblem = null;
                agents.values().stream().filter(x -> x.state == AgentState.UNAVAILABLE).forEach(x -> x.state = AgentState.IDLE);
                LOG.info("Docker answers again; container sessions resume");
            } catch (AgentRuntimeException e) {
                runtimeProblem = e.getMessage();
            }
        }
        publish();
    }

    private void recover() {
        Recovery.Outcome out = new Recovery(runtime, ContainerSpecs.homeLabel(home), agents).run(recoveryPending,
                slug -> new Listener(agents.get(slug)));
        if (out.unreachable() != null) {
            runtimeProblem = out.unreachable();
            lastPingAt = clock.instant();
            recoveryPending = true;
        } else {
            out.reattached().forEach((a, r) -> nowRunning(a, r, 0));   // whether it was mid-task is unknown: its next result will say
            recoveryPending = false;
        }
        recovery.addAll(out.said());
        recovered = true;   // replies may come; while Docker is away, the first start looks for containers left from before
        publish();
    }

    private Snapshot snapshotNow() {
        List<View> views = new ArrayList<>();
        for (Agent a : agents.values()) {
            views.add(new View(a.slug, a.state, a.containerId, a.workspace.sessionId().orElse(null), a.startedAt,
                    a.lastOutput, a.lastError, a.failures, a.backoffUntil));
        }
        return new Snapshot(recovered, views, List.copyOf(waiting), recovery, Optional.ofNullable(runtimeProblem));
    }

    /** Publishes the snapshot to state/agents.json, then to the loop (so whoever sees it finds the file as new). */
    private void publish() {
        Snapshot s = snapshotNow();
        try {
            new AgentsFile(home.agentsFile()).write(s.toFile(clock.instant()));
        } catch (UncheckedIOException e) {
            LOG.debug("cannot write {}: {}", home.agentsFile(), IoCause.of(e));
        }
        published.set(s);
    }

    /** Stops supervising; containers go on running and are found again at the next start. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);   // after it, this thread sees the executor's state
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Agent a : agents.values()) {
            if (a.running != null) {
                a.running.detach();
            }
        }
    }
}
