package dev.relay.agents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.config.AgentCredential;
import dev.relay.config.Secrets;
import dev.relay.config.SessionConfig;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.notify.Notification;
import dev.relay.notify.Notifier;
import dev.relay.queue.EnvelopeWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the container sessions: the dispatch target of their replies (a first reply starts a container, later ones
 * are follow-up files), their results back into queue/ as envelopes, and their lifecycle: at most N at once (the
 * rest wait in order), closed when idle, stopped past a time limit, backed off after failures, found again after
 * a crash. Docker calls run on its own thread, never the relay loop's.
 */
public final class AgentSupervisor implements DispatchTarget, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentSupervisor.class);
    public static final String HOME_LABEL = "dev.relay.home";
    public static final String AGENT_LABEL = "dev.relay.agent";
    /** The outbox entry a container was started with (its first stdin line), so that a restart does not send it again. */
    public static final String ENTRY_LABEL = "dev.relay.entry";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_AGENT_LOG_BYTES = 5L << 20;

    /** Where an agent is in its life; the words are what `relay agents` and the console show. */
    public enum State {
        IDLE("idle"), WAITING("waiting for a slot"), STARTING("starting"), RUNNING("running"), CLOSING("closing"),
        BACKOFF("backing off"), UNAVAILABLE("Docker unreachable");

        public final String words;

        State(String words) {
            this.words = words;
        }
    }

    /** What one agent looks like now. */
    public record View(String slug, State state, String containerId, String sessionId, Instant startedAt,
                       String lastOutput, String lastError, int failures) {}

    private final Home home;
    private final Settings settings;
    private final AgentRuntime runtime;
    private final Notifier notifier;
    private final Clock clock;
    private final Supplier<Secrets> secrets;
    private final String homeLabel;
    private final ScheduledExecutorService executor;
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final ArrayDeque<String> waiting = new ArrayDeque<>();
    private final List<String> recovery = new ArrayList<>();
    private boolean recovered;
    /** Docker did not answer at start-up: containers left from before are looked for once it does. */
    private volatile boolean recoveryPending;
    private volatile String runtimeProblem;

    private final class Agent {
        final SessionConfig config;
        final String slug;
        State state = State.IDLE;
        RunningAgent running;
        String containerId;
        Instant startedAt;
        Instant lastOutputAt;
        Instant closeAskedAt;
        Instant backoffUntil = Instant.MIN;
        int failures;
        int awaiting;             // prompts and follow-ups not yet answered by a result
        int resultsThisRun;
        String lastOutput = "";
        String lastError = "";
        String currentPrompt;     // kept until the first result, for a retry with a fresh session
        boolean staleRetry;
        boolean retriedStale;

        Agent(SessionConfig config) {
            this.config = config;
            this.slug = config.id().value();
        }

        Path workspace() {
            return home.agentsDir().resolve(slug);
        }
    }

    /** {@code secrets} are read at each start (the operator may add a token to .env meanwhile). */
    public AgentSupervisor(Home home, Settings settings, AgentRuntime runtime, Notifier notifier, Clock clock,
                           Supplier<Secrets> secrets) {
        this.home = home;
        this.settings = settings;
        this.runtime = runtime;
        this.notifier = notifier;
        this.clock = clock;
        this.secrets = secrets;
        this.homeLabel = home.root().toAbsolutePath().normalize().toString();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-agents");
            t.setDaemon(true);
            return t;
        });
        for (SessionConfig s : settings.containerSessions()) {
            agents.put(s.id().value(), new Agent(s));
        }
    }

    /** Finds this home's containers left by an earlier run (re-attaching live ones, removing dead ones), then ticks. */
    public void start() {
        executor.execute(this::recover);
        executor.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** What recovery found and did at start-up, for the log and the operator. */
    public synchronized List<String> recovery() {
        return List.copyOf(recovery);
    }

    public synchronized List<View> views() {
        List<View> out = new ArrayList<>();
        for (Agent a : agents.values()) {
            out.add(new View(a.slug, a.state, a.containerId, readSessionId(a.slug).orElse(null), a.startedAt,
                    a.lastOutput, a.lastError, a.failures));
        }
        return out;
    }

    public Optional<String> runtimeProblem() {
        return Optional.ofNullable(runtimeProblem);
    }

    // ---- dispatch (the relay loop's thread: quick file work only) ---------------------------------------------

    @Override
    public synchronized boolean deliver(Outbox.Entry entry) {
        Agent a = agents.get(entry.session().value());
        if (a == null) {
            return false;   // not a configured container session: the loop only sends us those
        }
        if (!recovered) {
            return false;   // the containers left from before are not known yet: the loop offers it again shortly
        }
        switch (a.state) {
            case RUNNING -> {
                String text = read(entry.file());
                if (text == null) {
                    // gone since the loop listed it: it was the first line of the container that runs now
                    return false;
                }
                writeFollowUp(a, text);
                AtomicFiles.delete(entry.file());
                a.awaiting++;
                return true;
            }
            case IDLE, WAITING -> {
                if (a.failures > 0 && clock.instant().isBefore(a.backoffUntil)) {
                    return false;
                }
                boolean first = waiting.isEmpty() || waiting.peekFirst().equals(a.slug);
                if (first && active() < settings.agents().maxConcurrent()) {
                    waiting.remove(a.slug);
                    a.state = State.STARTING;
                    Path file = entry.file();
                    executor.execute(() -> startContainer(a, file));
                } else if (!waiting.contains(a.slug)) {
                    waiting.addLast(a.slug);
                    a.state = State.WAITING;
                    LOG.info("agent {} waits for a slot ({} of {} running)", a.slug, active(), settings.agents().maxConcurrent());
                    publish();
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private int active() {
        return (int) agents.values().stream()
                .filter(x -> x.state == State.STARTING || x.state == State.RUNNING || x.state == State.CLOSING).count();
    }

    // ---- the agents' thread -----------------------------------------------------------------------------------

    private void startContainer(Agent a, Path entryFile) {
        if (recoveryPending) {
            recover();   // Docker answers now: a container of this agent may live on from before the restart
            synchronized (this) {
                if (a.state != State.STARTING) {
                    return;   // re-attached: the reply goes to it as a follow-up (or not at all, if it started with it)
                }
            }
        }
        String prompt = read(entryFile);
        if (prompt == null) {
            synchronized (this) {
                if (a.state == State.STARTING) {
                    a.state = State.IDLE;
                }
            }
            return;
        }
        launch(a, prompt, readSessionId(a.slug), entryFile);
    }

    /**
     * Starts the container; the outbox entry (if any) is removed in the same step that makes the agent RUNNING, so
     * the loop can never hand the same reply over again as a follow-up.
     */
    private void launch(Agent a, String prompt, Optional<String> session, Path entryFile) {
        try {
            Secrets current = secrets.get();
            boolean share = settings.agents().shareCoordinatorKey();
            AgentCredential credential = AgentCredential.choose(current, share).orElse(null);
            if (credential == null) {
                synchronized (this) {
                    fail(a, AgentCredential.missing(current, share, home.envFile()));   // the reply waits in the outbox
                }
                publish();
                return;
            }
            prepareWorkspace(a);
            byte[] line = StartLine.encode(prompt, session, a.slug, a.config.displayName(), credential.secrets());
            RunningAgent r = runtime.start(spec(a, entryFile), line, new Listener(a));
            synchronized (this) {
                if (entryFile != null) {
                    AtomicFiles.delete(entryFile);   // the reply is the container's first line now
                }
                nowRunning(a, r, 1);
                a.currentPrompt = prompt;
                a.lastError = "";
                runtimeProblem = null;
            }
            LOG.info("agent {} started in container {}{}, credential {}", a.slug, shortId(r.containerId()),
                    session.map(s -> ", resuming session " + s).orElse(", new session"), credential.describe());
        } catch (AgentRuntimeException e) {
            synchronized (this) {
                a.running = null;
                if (e.unreachable()) {
                    a.state = State.UNAVAILABLE;
                    runtimeProblem = e.getMessage();
                    LOG.warn("agent {} cannot start: {}", a.slug, e.getMessage());
                } else {
                    fail(a, e.getMessage());
                }
            }
        } catch (IllegalArgumentException e) {
            synchronized (this) {
                fail(a, e.getMessage() + " (fix config.yaml)");
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                fail(a, "starting failed: " + e);
            }
            LOG.error("agent {}: starting failed", a.slug, e);
        }
        publish();
    }

    /** Under the lock: the agent's container runs, with {@code awaiting} prompts not yet answered. */
    private void nowRunning(Agent a, RunningAgent r, int awaiting) {
        a.running = r;
        a.containerId = r.containerId();
        a.state = State.RUNNING;
        a.startedAt = clock.instant();
        a.lastOutputAt = a.startedAt;
        a.awaiting = awaiting;
        a.resultsThisRun = 0;
    }

    private AgentSpec spec(Agent a, Path entryFile) {
        SessionConfig.Container c = a.config.container();
        Hardening d = Hardening.DEFAULT;
        MountPolicy policy = new MountPolicy(settings.agents().mountAllowlist(), home.root());
        List<Hardening.ExtraMount> mounts = new ArrayList<>();
        for (SessionConfig.Container.Mount m : c.mounts()) {
            mounts.add(policy.check(new MountPolicy.Request(Path.of(m.host()), m.container(), m.readOnly())));
        }
        Hardening h = new Hardening(c.user() != null ? c.user() : defaultUser(),
                c.memory() != null ? SessionConfig.Container.bytes(c.memory()) : d.memoryBytes(),
                c.pidsLimit() != null ? c.pidsLimit() : d.pidsLimit(),
                c.readOnly() != null ? c.readOnly() : d.readOnlyRoot(),
                c.network(), mounts);
        Map<String, String> labels = new java.util.HashMap<>(Map.of(HOME_LABEL, homeLabel, AGENT_LABEL, a.slug));
        if (entryFile != null) {
            labels.put(ENTRY_LABEL, entryFile.getFileName().toString());
        }
        return new AgentSpec(a.slug, a.config.displayName(), a.config.imageOrDefault(), a.workspace(), h, Map.copyOf(labels),
                environment(a));
    }

    /**
     * The operator's container.env, with RELAY_AGENT_ENV naming those variables (the agent program passes them on to
     * Claude Code, whose environment is an allow-list otherwise), and HOME.
     */
    private Map<String, String> environment(Agent a) {
        Map<String, String> plain = settings.containerEnv(a.config);
        Map<String, String> env = new java.util.TreeMap<>(plain);
        if (!plain.isEmpty()) {
            env.put("RELAY_AGENT_ENV", String.join(",", plain.keySet()));
        }
        // the SDK keeps its sessions under HOME: in the workspace, so that a resume finds them
        env.put("HOME", "/workspace/.home");
        return env;
    }

    /** The relay's own user, so that the workspace stays the operator's; as root, the image's usual 1000. */
    static String defaultUser() {
        try {
            long uid = new com.sun.security.auth.module.UnixSystem().getUid();
            long gid = new com.sun.security.auth.module.UnixSystem().getGid();
            return uid == 0 ? "1000:1000" : uid + ":" + gid;
        } catch (RuntimeException | LinkageError e) {
            return "1000:1000";
        }
    }

    private void prepareWorkspace(Agent a) {
        Path ws = a.workspace();
        try {
            for (String sub : List.of("ipc/input", "ipc/messages", "ipc/tasks", "ipc/errors", ".home", "conversations")) {
                Files.createDirectories(dev.relay.files.Confined.check(home.root(), ws.resolve(sub)));
            }
            Files.deleteIfExists(ws.resolve("ipc/input/_close"));
            String user = spec(a, null).hardening().user();
            if (isRoot()) {
                // the agent runs as its own user: its workspace must be its own to write
                int uid = Integer.parseInt(user.split(":")[0]);
                int gid = user.contains(":") ? Integer.parseInt(user.split(":")[1]) : uid;
                try (var walk = Files.walk(ws)) {
                    for (Path p : walk.toList()) {
                        Files.setAttribute(p, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                        Files.setAttribute(p, "unix:gid", gid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new AgentRuntimeException("cannot prepare the workspace " + ws + ": " + e.getMessage(), false, e);
        }
    }

    private static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private void fail(Agent a, String why) {
        a.failures++;
        long seconds = Math.min(300, 5L << Math.min(6, a.failures - 1));
        a.backoffUntil = clock.instant().plusSeconds(seconds);
        a.state = State.BACKOFF;
        a.lastError = why;
        LOG.warn("agent {}: {}; next try in {} s", a.slug, why, seconds);
        if (a.failures == 1 || a.failures % 5 == 0) {
            notifier.send(new Notification("Relay: agent " + a.slug + " failed", why, Notification.HIGH, List.of("warning")));
        }
    }

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
            appendLog(agent.slug, (stderr ? "err " : "out ") + line);
        }

        @Override
        public void exited(AgentExit exit) {
            executor.execute(() -> onExit(agent, exit));
        }
    }

    private void onOutput(Agent a, AgentOutput o) {
        String containerId;
        synchronized (this) {
            a.lastOutputAt = clock.instant();
            a.awaiting = Math.max(0, a.awaiting - 1);
            a.resultsThisRun++;
            containerId = a.containerId;
        }
        o.newSessionId().ifPresent(s -> writeSessionId(a.slug, s));
        if (o.success()) {
            synchronized (this) {
                a.currentPrompt = null;
                a.lastOutput = o.result().map(r -> r.length() > 200 ? r.substring(0, 200) + "…" : r).orElse("(no result)");
            }
            o.result().ifPresent(result -> appendLog(a.slug, "result " + result.replace('\n', ' ')));
            o.result().ifPresent(result -> {
                // unique across runs and re-attachments: an id is taken once
                String id = "agent-" + shortId(containerId) + "-" + clock.millis() + "-" + a.resultsThisRun;
                EnvelopeWriter.write(home.queueDir(), SessionId.of(a.slug), result, Optional.of(id));
                LOG.info("agent {}: result {} queued as an envelope", a.slug, id);
            });
        } else {
            String error = o.error().orElse("error");
            boolean stale = error.contains("No conversation found") || error.toLowerCase().contains("session not found");
            synchronized (this) {
                a.lastError = error;
                if (stale && !a.retriedStale && a.currentPrompt != null) {
                    a.staleRetry = true;
                }
            }
            LOG.warn("agent {} reported an error: {}", a.slug, error);
            appendLog(a.slug, "error " + error.replace('\n', ' '));
        }
        publish();
    }

    private void onExit(Agent a, AgentExit exit) {
        String retryPrompt = null;
        synchronized (this) {
            a.running = null;
            a.startedAt = null;
            if (a.staleRetry) {
                a.staleRetry = false;
                a.retriedStale = true;
                retryPrompt = a.currentPrompt;
                a.state = State.STARTING;
            } else if (exit.code() == 0 && a.state != State.BACKOFF) {
                a.state = State.IDLE;
                a.failures = 0;
                a.retriedStale = false;
            } else if (exit.code() != 0) {
                fail(a, "container " + shortId(a.containerId) + " " + exit.describe());
            }
        }
        if (retryPrompt != null) {
            LOG.warn("agent {}: its saved session is gone (stale); retrying once with a fresh session", a.slug);
            deleteSessionId(a.slug);
            try {
                runtime.remove(a.containerId);
            } catch (AgentRuntimeException e) {
                LOG.debug("removing {}: {}", a.slug, e.getMessage());
            }
            launch(a, retryPrompt, Optional.empty(), null);
            return;
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
            LOG.debug("cannot remove container {}: {}", shortId(id), e.getMessage());
        }
    }

    /** Every second: idle agents are closed, overdue ones stopped, backoffs end, an unreachable Docker is retried. */
    private void tick() {
        try {
            Instant now = clock.instant();
            List<Agent> stop = new ArrayList<>();
            boolean retryDocker = false;
            synchronized (this) {
                for (Agent a : agents.values()) {
                    switch (a.state) {
                        case RUNNING -> {
                            boolean idle = a.awaiting == 0
                                    && Duration.between(a.lastOutputAt, now).compareTo(settings.agents().idleTimeout()) >= 0;
                            boolean overdue = !settings.agents().maxRun().isZero()
                                    && Duration.between(a.startedAt, now).compareTo(settings.agents().maxRun()) >= 0;
                            if (idle || overdue) {
                                LOG.info("agent {}: {}; asking it to close", a.slug, idle ? "idle" : "over its time limit");
                                writeClose(a);
                                a.state = State.CLOSING;
                                a.closeAskedAt = now;
                            }
                        }
                        case CLOSING -> {
                            if (a.running != null && Duration.between(a.closeAskedAt, now).compareTo(settings.agents().stopGrace()) >= 0) {
                                stop.add(a);
                                a.closeAskedAt = now.plus(Duration.ofDays(1));   // once
                            }
                        }
                        case BACKOFF -> {
                            if (!now.isBefore(a.backoffUntil)) {
                                a.state = State.IDLE;
                            }
                        }
                        case UNAVAILABLE -> retryDocker = true;
                        default -> { }
                    }
                }
            }
            for (Agent a : stop) {
                LOG.warn("agent {} did not close within {} s; stopping its container", a.slug, settings.agents().stopGrace().toSeconds());
                try {
                    a.running.stop(Duration.ofSeconds(10));
                } catch (AgentRuntimeException e) {
                    LOG.warn("stopping agent {}: {}", a.slug, e.getMessage());
                }
            }
            if (retryDocker && now.getEpochSecond() % 10 == 0) {
                try {
                    runtime.ping();
                    if (recoveryPending) {
                        recover();
                    }
                    synchronized (this) {
                        runtimeProblem = null;
                        agents.values().stream().filter(x -> x.state == State.UNAVAILABLE).forEach(x -> x.state = State.IDLE);
                    }
                    LOG.info("Docker answers again; container sessions resume");
                } catch (AgentRuntimeException e) {
                    runtimeProblem = e.getMessage();
                }
            }
            publish();
        } catch (RuntimeException e) {
            LOG.error("agent supervision failed; going on", e);
        }
    }

    private void recover() {
        List<AgentRuntime.Container> own;
        try {
            own = runtime.list(Map.of(HOME_LABEL, homeLabel));
        } catch (AgentRuntimeException e) {
            runtimeProblem = e.getMessage();
            synchronized (this) {
                if (!recoveryPending) {
                    recovery.add("Docker unreachable at start-up: " + e.getMessage());
                }
                recovered = true;   // replies may come: the first start looks for containers left from before
            }
            recoveryPending = true;
            LOG.warn("container sessions wait: {}", e.getMessage());
            return;
        }
        for (AgentRuntime.Container c : own) {
            String slug = c.labels().getOrDefault(AGENT_LABEL, "?");
            Agent a;
            synchronized (this) {
                a = agents.get(slug);
            }
            String what;
            if (c.running() && a != null) {
                try {
                    RunningAgent r = runtime.reattach(c.id(), new Listener(a));
                    synchronized (this) {
                        nowRunning(a, r, 0);   // whether it was mid-task is unknown: its next result will say
                    }
                    what = "re-attached to the running container " + shortId(c.id()) + " of agent " + slug
                            + forgetFirstMessage(a, c.labels().get(ENTRY_LABEL));
                } catch (AgentRuntimeException e) {
                    removeQuietly(c.id());
                    what = "could not re-attach to container " + shortId(c.id()) + " of " + slug + " (" + e.getMessage() + "); removed it";
                }
            } else {
                removeQuietly(c.id());
                what = (c.running() ? "stopped and removed the container " : "removed the dead container ") + shortId(c.id())
                        + " of " + (a == null ? "the unconfigured agent " : "agent ") + slug;
            }
            LOG.info("after a restart: {}", what);
            synchronized (this) {
                recovery.add(what);
            }
        }
        recoveryPending = false;
        synchronized (this) {
            recovered = true;
        }
        publish();
    }

    /**
     * A live container started with an outbox entry that is still there: the relay stopped between starting it and
     * removing the entry. The container has it already (its first stdin line), so it is removed, not sent again.
     */
    private String forgetFirstMessage(Agent a, String entryName) {
        if (entryName == null || !entryName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            return "";
        }
        Path entry = home.outboxDir(SessionId.of(a.slug)).resolve(entryName);
        if (!Files.exists(entry)) {
            return "";
        }
        AtomicFiles.delete(entry);
        return "; the message it was started with was still queued for it, and is not sent again";
    }

    // ---- files ---------------------------------------------------------------------------------------------------

    private void writeFollowUp(Agent a, String text) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "message");
        n.put("text", text);
        // the agent writes its own workspace: a link it put there must not take the relay's write elsewhere
        Path dir = dev.relay.files.Confined.check(home.root(), a.workspace().resolve("ipc/input"));
        String name = String.format("%013d-%06x.json", System.currentTimeMillis(), ThreadLocalRandom.current().nextInt(1 << 24));
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + name + ".tmp");
            Files.writeString(tmp, JSON.writeValueAsString(n), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            chownForAgent(a, dir.resolve(name));
        } catch (IOException e) {
            throw dev.relay.files.IoCause.wrap("cannot write a follow-up for agent " + a.slug + " into " + dir, e);
        }
    }

    private void writeClose(Agent a) {
        try {
            Path close = dev.relay.files.Confined.check(home.root(), a.workspace().resolve("ipc/input/_close"));
            Files.writeString(close, "");
            chownForAgent(a, close);
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("cannot ask agent {} to close: {}", a.slug, dev.relay.files.IoCause.of(e));
        }
    }

    private void chownForAgent(Agent a, Path p) throws IOException {
        if (isRoot()) {
            String user = spec(a, null).hardening().user();
            int uid = Integer.parseInt(user.split(":")[0]);
            Files.setAttribute(p, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private Path sessionFile(String slug) {
        return home.stateDir().resolve("agents").resolve(slug + ".session");
    }

    private Optional<String> readSessionId(String slug) {
        Path f = sessionFile(slug);
        String s = Files.exists(f) ? read(f) : null;
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    private void writeSessionId(String slug, String id) {
        if (!readSessionId(slug).equals(Optional.of(id))) {
            AtomicFiles.ensurePrivateDirectory(sessionFile(slug).getParent());
            AtomicFiles.write(sessionFile(slug), id + "\n");
        }
    }

    private void deleteSessionId(String slug) {
        AtomicFiles.delete(sessionFile(slug));
    }

    /** An agent's output, kept in logs/agents/SLUG.log (one rotation at 5 MB) for the console and the operator. */
    private void appendLog(String slug, String line) {
        Path log = home.logsDir().resolve("agents").resolve(slug + ".log");
        try {
            Files.createDirectories(log.getParent());
            if (Files.exists(log) && Files.size(log) > MAX_AGENT_LOG_BYTES) {
                Files.move(log, log.resolveSibling(slug + ".1.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(log, Instant.now() + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.debug("cannot write {}: {}", log, e.getMessage());
        }
    }

    /** state/agents.json: what `relay agents` and the console show. */
    private void publish() {
        ArrayNode arr = JSON.createArrayNode();
        for (View v : views()) {
            ObjectNode n = arr.addObject();
            n.put("slug", v.slug());
            n.put("state", v.state().words);
            n.put("container_id", v.containerId() == null ? null : shortId(v.containerId()));
            n.put("session_id", v.sessionId());
            n.put("started_at", v.startedAt() == null ? null : v.startedAt().toString());
            n.put("last_output", v.lastOutput());
            n.put("last_error", v.lastError());
            n.put("failures", v.failures());
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("updated_at", clock.instant().toString());
        root.put("runtime_problem", runtimeProblem);
        root.set("agents", arr);
        ArrayNode rec = root.putArray("recovery");
        recovery().forEach(rec::add);
        try {
            AtomicFiles.ensurePrivateDirectory(home.stateDir());
            AtomicFiles.write(home.stateDir().resolve("agents.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot write agents.json: {}", e.getMessage());
        }
    }

    private static String shortId(String id) {
        return id == null ? "?" : id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** Stops supervising; containers go on running and are found again at the next start. */
    @Override
    public void close() {
        executor.shutdownNow();
        synchronized (this) {
            for (Agent a : agents.values()) {
                if (a.running != null) {
                    a.running.detach();
                }
            }
        }
    }
}
