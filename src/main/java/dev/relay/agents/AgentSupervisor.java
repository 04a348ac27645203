package dev.relay.agents;

import dev.relay.config.Secrets;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.dispatch.Outbox;
import dev.relay.files.IoCause;
import dev.relay.notify.Notifier;
import dev.relay.queue.EnvelopeWriter;
import dev.relay.state.AgentState;
import dev.relay.state.AgentsFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the container sessions: the dispatch target of their replies (a first reply starts a container, later ones
 * are follow-up files), their output into their logs and their results back into queue/ as envelopes. Their
 * lifecycle ({@link AgentLifecycle}: slots, idle close, time limit, backoff, recovery after a crash) lives on the
 * {@code relay-agents} thread, which also makes the Docker calls; the relay loop sees only the {@link Snapshot}
 * published after each change.
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
    private final Clock clock;
    private final AgentLog log;
    private final boolean scheduled;
    private final ScheduledExecutorService executor;
    private final AtomicReference<Snapshot> published;
    /** Confined to the executor, but for {@link AgentLifecycle#agent} (its map never changes). */
    private final AgentLifecycle lifecycle;
    private volatile AgentBudget budget = AgentBudget.NONE;
    /** The agents whose start waits for their budget, said once each until they start again. */
    private final java.util.Set<String> heldByBudget = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
        this.clock = clock;
        this.scheduled = scheduled;
        this.log = new AgentLog(home, clock);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-agents");
            t.setDaemon(true);
            return t;
        });
        this.lifecycle = new AgentLifecycle(home, settings, runtime, notifier, clock,
                new AgentStarts(home, settings, runtime, secrets), Listener::new);
        this.published = new AtomicReference<>(lifecycle.snapshot());
    }

    /** The budgets: a braked session's agent starts no new run; results' spend is counted there. */
    public void useBudget(AgentBudget budget) {
        this.budget = budget;
    }

    AgentBudget budget() {
        return budget;
    }

    /** Finds this home's containers left by an earlier run (re-attaching live ones, removing dead ones), then ticks. */
    public void start() {
        executor.execute(() -> step(lifecycle::recover));
        if (scheduled) {
            executor.scheduleWithFixedDelay(this::tickSafely, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** The operator asked (from the inbox) to restart a failed agent now: its backoff ends. */
    public void restartNow(dev.relay.core.SessionId agent) {
        executor.execute(() -> step(() -> lifecycle.restartNow(agent.value())));
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
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the supervisor's thread did not finish a step", e);
        }
    }

    /** One change of the agents' state on the supervisor's thread, then published. */
    private void step(Runnable change) {
        change.run();
        publish();
    }

    private void tickSafely() {
        try {
            step(lifecycle::tick);
        } catch (RuntimeException e) {
            LOG.error("agent supervision failed; going on", e);
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
        Optional<Agent> agent = lifecycle.agent(entry.session().value());
        Optional<View> view = s.agent(entry.session().value());
        if (agent.isEmpty() || view.isEmpty() || !s.recovered()) {
            return false;   // not ours, or the containers left from before are not known yet: offered again shortly
        }
        Agent a = agent.get();
        View v = view.get();
        switch (v.state()) {
            case RUNNING -> {
                Optional<Path> claim = a.workspace.claimFollowUp(entry);
                claim.ifPresent(c -> executor.execute(() -> step(() -> lifecycle.handOver(a, c))));
                return claim.isPresent();   // empty: gone since the loop listed it (it was a start line)
            }
            case IDLE, WAITING -> {
                if (v.failures() > 0 && clock.instant().isBefore(v.backoffUntil())) {
                    return false;
                }
                if (!budget.mayStart(entry.session())) {
                    if (heldByBudget.add(v.slug())) {
                        LOG.warn("agent {}: no new run while its budget brakes (the reply waits in its outbox)", v.slug());
                    }
                    return false;
                }
                heldByBudget.remove(v.slug());
                boolean first = s.waiting().isEmpty() || s.waiting().get(0).equals(v.slug());
                if (!first || s.active() >= settings.agents().maxConcurrent()) {
                    if (!s.waiting().contains(v.slug())) {
                        executor.execute(() -> step(() -> lifecycle.waitForSlot(a)));
                    }
                    return false;
                }
                Optional<Path> claim = a.workspace.claimStart(entry);
                if (claim.isPresent()) {
                    published.compareAndSet(s, s.starting(v.slug()));
                    executor.execute(() -> step(() -> lifecycle.handOver(a, claim.get())));
                }
                return claim.isPresent();
            }
            default -> {
                return false;
            }
        }
    }

    // ---- the runtime's reports (to the agents' thread) ---------------------------------------------------------

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
            executor.execute(() -> step(() -> lifecycle.onExit(agent, exit)));
        }
    }

    /** A result goes into the agent's log and into queue/ as an envelope from its session; an error into its log. */
    private void onOutput(Agent a, AgentOutput o) {
        step(() -> lifecycle.onOutput(a, o));   // before the result is a turn: whoever sees the turn sees the session it came from
        if (!o.success()) {
            log.append(a.config.id(), AgentLog.Kind.ERROR, o.error().orElse("error"));
            return;
        }
        o.result().ifPresent(result -> {
            log.append(a.config.id(), AgentLog.Kind.RESULT, result);
            // unique across runs and re-attachments: an id is taken once
            String id = "agent-" + AgentRuntime.shortId(a.containerId) + "-" + clock.millis() + "-" + a.resultsThisRun;
            EnvelopeWriter.write(home.queueDir(), a.config.id(), result, Optional.of(id));
            LOG.info("agent {}: result {} queued as an envelope", a.slug, id);
        });
    }

    /** Publishes the snapshot to state/agents.json, then to the loop (so whoever sees it finds the file as new). */
    private void publish() {
        Snapshot s = lifecycle.snapshot();
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
        lifecycle.detachAll();
    }
}
