package dev.relay.relay;

import dev.relay.anthropic.Coordinator;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.files.IoCause;
import dev.relay.notify.Notifier;
import dev.relay.state.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * never wait for the coordinator. This class owns the thread and what wakes it (the directory watch, the API's
 * answers, the next due time); what a round does, and in which order, is {@link RelayRound}'s.
 */
public final class RelayLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayLoop.class);

    private final Home home;
    private final DirectoryWatch watch = new DirectoryWatch();
    private final RelayRound round;
    private final Clock clock;
    private final LinkedBlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    private final ExecutorService api = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "relay-api");
        t.setDaemon(true);
        return t;
    });
    private Thread loopThread;
    private volatile boolean running;

    /** Wakes the loop: it is asked to stop. */
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
        this.round = new RelayRound(settings, clock, coordinators, secretsReloader, notifier, targets, watch);
    }

    /** Who restarts a container agent when the operator asks from the inbox. */
    public void onAgentRestart(Consumer<SessionId> restarts) {
        round.onAgentRestart(restarts);
    }

    public void addListener(Consumer<RelayEvent> listener) {
        round.addListener(listener);
    }

    /** The latest status, as written to status.json. */
    public Status snapshot() {
        return round.snapshot();
    }

    /** Opens the home's files, recovers from any crash, and starts the loop thread. */
    public void start() {
        open(api);
        try {
            watch.open(home.queueDir().getFileSystem());
            for (Path dir : List.of(home.queueDir(), home.stateDir(), home.controlDir())) {
                watch.register(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + home.root() + ": " + e.getMessage(), e);
        }
        watch.start(signals::offer);
        loopThread = new Thread(this::run, "relay-loop");
        loopThread.start();
        Settings settings = round.settings();
        LOG.info("relay started on {} (model {}, {} configured session{})", home.root(), settings.model(),
                settings.sessions().size(), settings.sessions().size() == 1 ? "" : "s");
    }

    private void open(Executor calls) {
        running = true;
        round.open(calls, signals::add, () -> running);
    }

    /** Whether a container session's agent may start a new run now: not while its budget (or the day's) brakes. */
    public boolean mayStartAgent(SessionId session) {
        return round.mayStartAgent(session);
    }

    /**
     * What a container agent's result said it spent, counted to its session's line of the day (any thread); false when
     * that running total of that SDK session was counted already.
     */
    public boolean agentSpent(SessionId session, Optional<String> sdkSession, double costUsd, double totalUsd) {
        return round.agentSpent(session, sdkSession, costUsd, totalUsd);
    }

    /** The running total the agent's SDK session last reported (its next run resumes from it). */
    public java.util.OptionalDouble agentTotal(SessionId session, String sdkSession) {
        return round.agentTotal(session, sdkSession);
    }

    /** Stops after the current step; an API call in flight is abandoned and repeated at the next start. */
    public void close() {
        running = false;
        signals.add(new Wake());
        if (loopThread != null) {
            try {
                loopThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        api.shutdownNow();
        watch.close();
        round.close();
    }

    // ---------------------------------------------------------------- test seams

    /**
     * Test seam: opens the home and recovers as {@link #start()} does, but starts no thread: the caller steps the
     * loop with {@link #stepOnce()}, and coordinator calls run on the caller's thread.
     */
    void startStepping() {
        open(Runnable::run);
        round.recover();
    }

    /**
     * Test seam: one round of the loop on the caller's thread, then the results it produced, with no waiting.
     * No directory watch runs here, so each step rescans the queue, as the watch would have told it.
     */
    void stepOnce() {
        round.rescanNext();
        round.round();
        drain(signals.poll());
    }

    /** Test seam: the retry arithmetic, say with a fixed draw instead of a random one. */
    void useRetryPolicy(RetryPolicy policy) {
        round.useRetryPolicy(policy);
    }

    /** Test seam: {@code before} runs before each durable step of a turn and may throw to simulate a failure there. */
    void injectFaults(BiConsumer<TurnStep, String> before) {
        round.injectFaults(before);
    }

    // ---------------------------------------------------------------- the thread

    private void run() {
        round.recover();
        while (running) {
            round.round();
            Object signal;
            try {
                signal = signals.poll(pollTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                break;
            }
            drain(signal);
        }
        try {
            round.writeLastStatus();
        } catch (RuntimeException e) {
            LOG.warn("cannot write {} on the way out: {}", home.statusFile(), IoCause.of(e));
        }
        LOG.info("relay loop stopped");
    }

    /** Handles {@code signal} and whatever else has come, without waiting. */
    private void drain(Object signal) {
        try {
            while (signal != null) {
                if (signal instanceof TurnRunner.ApiDone done) {
                    round.onApiDone(done);
                } else if (signal instanceof DirectoryWatch.Change change && change.dir().equals(home.queueDir())) {
                    round.queueChanged(change);
                }
                signal = signals.poll();
            }
        } catch (RuntimeException e) {
            // the call's result is kept (unrecorded) or its turn retried; the call in flight, if any, stays so
            round.ioFailure("handling the coordinator's answer failed", e);
        }
    }

    private Duration pollTimeout() {
        Instant now = clock.instant();
        Duration until = Duration.between(now, round.nextWake(now));
        return until.isNegative() ? Duration.ZERO : until;
    }
}
