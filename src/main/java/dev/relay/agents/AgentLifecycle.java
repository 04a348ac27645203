package dev.relay.agents;

import dev.relay.config.SessionConfig;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.dispatch.Outbox;
import dev.relay.files.IoCause;
import dev.relay.notify.Notification;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.notify.Notifier;
import dev.relay.state.AgentState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container agents' state machine and their slots: at most N hold one (the rest wait in order), a claimed reply
 * starts an agent or becomes its follow-up, idle agents are closed, overdue ones stopped, failures backed off, a lost
 * session retried once, an unreachable Docker asked again. Confined to the supervisor's thread; it publishes nothing
 * itself: the supervisor takes a {@link #snapshot()} after each step.
 */
final class AgentLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLifecycle.class);
    /** An unreachable Docker is asked again this long after the last try. */
    static final Duration PING_EVERY = Duration.ofSeconds(10);

    private final Home home;
    private final Settings settings;
    private final AgentRuntime runtime;
    private final Notifier notifier;
    private final Inbox inbox;
    private final Clock clock;
    private final Outbox outbox;
    private final AgentStarts starts;
    private final Function<Agent, AgentListener> listeners;
    private final Map<String, Agent> agents;
    private final ArrayDeque<String> waiting = new ArrayDeque<>();
    private final List<String> recovery = new ArrayList<>();
    private boolean recovered;
    /** Docker did not answer at start-up: containers left from before are looked for once it does. */
    private boolean recoveryPending;
    private String runtimeProblem;
    private Instant lastPingAt = Instant.MIN;

    /** {@code listeners}: how the runtime's reports on an agent reach the supervisor's thread. */
    AgentLifecycle(Home home, Settings settings, AgentRuntime runtime, Notifier notifier, Clock clock, AgentStarts starts,
                   Function<Agent, AgentListener> listeners) {
        this.home = home;
        this.settings = settings;
        this.runtime = runtime;
        this.notifier = notifier;
        this.clock = clock;
        this.inbox = new Inbox(home.inboxFile(), clock);
        this.outbox = new Outbox(home.outboxRoot(), clock);
        this.starts = starts;
        this.listeners = listeners;
        Map<String, Agent> all = new LinkedHashMap<>();
        HostUser host = HostUser.current();
        for (SessionConfig s : settings.containerSessions()) {
            ContainerSpecs.Computed computed = ContainerSpecs.compute(home, settings, s, host);
            all.put(s.id().value(), new Agent(s, computed, new AgentWorkspace(home, s.id(), computed.user())));
        }
        this.agents = Collections.unmodifiableMap(all);
    }

    /** The agent of this slug, if it is one; the map never changes, so any thread may ask. */
    Optional<Agent> agent(String slug) {
        return Optional.ofNullable(agents.get(slug));
    }

    void waitForSlot(Agent a) {
        if ((a.state == AgentState.IDLE || a.state == AgentState.WAITING) && !waiting.contains(a.slug)) {
            waiting.addLast(a.slug);
            a.state = AgentState.WAITING;
            LOG.info("agent {} waits for a slot ({} of {} running)", a.slug, active(), settings.agents().maxConcurrent());
        }
    }

    private long active() {
        return agents.values().stream().filter(x -> x.state.holdsSlot()).count();
    }

    /** A claimed reply: to the agent if it can have it now, else back into the outbox, whatever the loop saw. */
    void handOver(Agent a, Path claim) {
        if (!Files.exists(claim)) {
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
    }

    private void giveBack(Agent a, Path claim) {
        try {
            a.workspace.unclaim(claim);
        } catch (UncheckedIOException e) {
            LOG.warn("agent {}: cannot put {} back into the outbox: {}", a.slug, claim, IoCause.of(e));
        }
    }

    /** Starts the container; a claim is dropped once the container has it, and given back when the start fails. */
    private void launch(Agent a, String prompt, Optional<String> session, Path claim) {
        AgentStarts.Outcome outcome = starts.start(a, prompt, session, claim, listeners.apply(a));
        if (outcome instanceof AgentStarts.Outcome.Started started) {
            nowRunning(a, started.running(), 1);
            a.currentPrompt = prompt;
            a.lastError = "";
            runtimeProblem = null;
            return;
        }
        if (claim != null) {
            giveBack(a, claim);   // the reply waits in the outbox
        }
        a.running = null;
        if (outcome instanceof AgentStarts.Outcome.Unreachable away) {
            a.state = AgentState.UNAVAILABLE;
            runtimeProblem = away.why();
            lastPingAt = clock.instant();
        } else if (outcome instanceof AgentStarts.Outcome.Failed failed) {
            fail(a, failed.why());
        }
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
        try {
            inbox.raise(new Inbox.Raise(Kind.AGENT_FAILED, Severity.HIGH, failureKey(a), Optional.of(a.slug),
                    "Relay: agent " + a.slug + " failed", why + " (" + a.failures + " failure" + (a.failures == 1 ? "" : "s")
                    + " in a row; next try in " + seconds + " s, or Restart now)"));
            a.failureRaised = true;
        } catch (RuntimeException e) {
            LOG.warn("cannot raise agent {}'s failure in the inbox: {}", a.slug, e.getMessage());
            notifier.send(new Notification("Relay: agent " + a.slug + " failed", why, Notification.HIGH, List.of("warning")));
        }
    }

    private static String failureKey(Agent a) {
        return Kind.AGENT_FAILED.wire() + ":" + a.slug;
    }

    /** The agent works again: its failure item resolves itself. */
    private void recovered(Agent a, String why) {
        if (!a.failureRaised) {
            return;
        }
        try {
            inbox.clear(failureKey(a), why);
            a.failureRaised = false;
        } catch (RuntimeException e) {
            LOG.warn("cannot resolve agent {}'s failure in the inbox: {}", a.slug, e.getMessage());
        }
    }

    /** The operator asked to restart a failed agent now: its backoff ends (it starts when it has work). */
    void restartNow(String slug) {
        Agent a = agents.get(slug);
        if (a == null) {
            LOG.warn("restart asked for {}, which is not a container agent here", slug);
            return;
        }
        if (a.state == AgentState.BACKOFF) {
            a.backoffUntil = clock.instant();
            a.state = AgentState.IDLE;
            LOG.info("agent {}: backoff ended by the operator; it starts with its next work", a.slug);
        } else {
            LOG.info("agent {}: restart asked while {}; nothing to do", a.slug, a.state);
        }
    }

    /** A result or an error the agent reported; a lost session is retried once, when the container has ended. */
    void onOutput(Agent a, AgentOutput o) {
        a.lastOutputAt = clock.instant();
        a.awaiting = Math.max(0, a.awaiting - 1);
        a.resultsThisRun++;
        o.newSessionId().ifPresent(a.workspace::saveSessionId);
        if (o.success()) {
            recovered(a, "agent " + a.slug + " ran again");
            a.currentPrompt = null;
            a.lastOutput = o.result().map(r -> r.length() > 200 ? r.substring(0, 200) + "…" : r).orElse("(no result)");
            return;
        }
        String error = o.error().orElse("error");
        a.lastError = error;
        if (o.code().filter(AgentSupervisor.SESSION_NOT_FOUND::equals).isPresent() && !a.retriedStale && a.currentPrompt != null) {
            a.staleRetry = true;
        }
        LOG.warn("agent {} reported an error: {}", a.slug, error);
    }

    void onExit(Agent a, AgentExit exit) {
        a.running = null;
        a.startedAt = null;
        if (a.staleRetry) {
            a.staleRetry = false;
            a.retriedStale = true;
            a.state = AgentState.STARTING;
            LOG.warn("agent {}: its saved session is gone (stale); retrying once with a fresh session", a.slug);
            a.workspace.forgetSessionId();
            runtime.removeQuietly(a.containerId);
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
        runtime.removeQuietly(a.containerId);
    }

    /** Idle agents are closed, overdue ones stopped, backoffs end, an unreachable Docker is asked again. */
    void tick() {
        Instant now = clock.instant();
        boolean retryDocker = false;
        for (Agent a : agents.values()) {
            switch (a.state) {
                case RUNNING -> closeIfDone(a, now);
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
    }

    private void closeIfDone(Agent a, Instant now) {
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

    /** Finds this home's containers left by an earlier run and the claims it left; Docker away, it is tried again. */
    void recover() {
        Recovery.Outcome out = new Recovery(runtime, ContainerSpecs.homeLabel(home), agents).run(recoveryPending,
                slug -> listeners.apply(agents.get(slug)));
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
    }

    AgentSupervisor.Snapshot snapshot() {
        List<AgentSupervisor.View> views = new ArrayList<>();
        for (Agent a : agents.values()) {
            views.add(new AgentSupervisor.View(a.slug, a.state, a.containerId, a.workspace.sessionId().orElse(null),
                    a.startedAt, a.lastOutput, a.lastError, a.failures, a.backoffUntil));
        }
        return new AgentSupervisor.Snapshot(recovered, views, List.copyOf(waiting), recovery, Optional.ofNullable(runtimeProblem));
    }

    /** Stops following the running containers, which go on and are found again at the next start. */
    void detachAll() {
        for (Agent a : agents.values()) {
            if (a.running != null) {
                a.running.detach();
            }
        }
    }
}
