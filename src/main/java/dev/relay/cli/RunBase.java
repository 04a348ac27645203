package dev.relay.cli;

import dev.relay.agents.AgentRuntime;
import dev.relay.agents.AgentSupervisor;
import dev.relay.agents.docker.DockerAgentRuntime;
import dev.relay.anthropic.AnthropicCoordinator;
import dev.relay.tracker.TrackerForwarder;
import dev.relay.anthropic.Coordinator;
import dev.relay.claude.HookServer;
import dev.relay.config.ConfigLoader;
import dev.relay.config.Secrets;
import dev.relay.config.SessionConfig;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.dispatch.FileDispatchTarget;
import dev.relay.files.AtomicFiles;
import dev.relay.logging.Logging;
import dev.relay.logging.Redactor;
import dev.relay.notify.Notifier;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.InboxNotifier;
import dev.relay.inbox.Phone;
import dev.relay.notify.NtfyClient;
import dev.relay.relay.RelayEvent;
import dev.relay.relay.RelayLoop;
import dev.relay.state.HomeLock;
import dev.relay.state.StatusFile;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** What `relay` and `relay run` share: the relay loop in the foreground or as a daemon. */
abstract class RunBase extends HomeCommand {
    @Option(names = "--daemon", description = "Run headless, logging to stdout and logs/relay.log.")
    boolean daemon;

    @Option(names = "--model", paramLabel = "MODEL", description = "Coordinator model id (overrides RELAY_MODEL and config.yaml).")
    String model;

    @Override
    public Integer call() throws Exception {
        // As early as possible: a SIGTERM during start-up must end the process cleanly too.
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), sig -> stop.countDown());
        Signal.handle(new Signal("INT"), sig -> stop.countDown());
        if (!daemon) {
            // the console's terminal going away (an SSH connection dropped) ends it like a quit
            Signal.handle(new Signal("HUP"), sig -> stop.countDown());
        }
        Home home = home();
        // before anything is written: `relay` from a script must not leave a home behind in the current directory
        if (!daemon && System.console() == null) {
            throw new UserException("the console needs a terminal (standard input and output are not one here); "
                    + "`relay run --daemon` runs the relay without one", ExitCodes.USAGE);
        }
        Map<String, String> flags = new HashMap<>();
        if (model != null) {
            flags.put("RELAY_MODEL", model);
        }
        ConfigLoader loader = loader(flags);
        Settings settings = loader.load(home, true);

        AtomicFiles.ensurePrivateDirectory(home.stateDir());
        AtomicFiles.ensurePrivateDirectory(home.logsDir());
        Optional<HomeLock> lock = HomeLock.tryAcquire(home.lockFile());
        if (lock.isEmpty()) {
            if (!daemon) {
                // a daemon (systemd, say) holds this home: this console attaches to it
                Logging.configure(home.consoleLogFile(), false);
                return ConsoleRunner.run(home, settings, null, stop);
            }
            String who = new StatusFile(home.statusFile()).read().map(s -> " (pid " + s.pid() + ")").orElse("");
            throw new UserException("another relay" + who + " is already running in " + home.root()
                    + "; use `relay status`, `relay pause` or `relay resume` to act on it, or `relay` to open"
                    + " the console on it", ExitCodes.LOCKED);
        }
        try (HomeLock held = lock.get()) {
            return runLoop(home, loader, settings, stop);
        }
    }

    private int runLoop(Home home, ConfigLoader loader, Settings settings, CountDownLatch stop) throws Exception {
        Logging.configure(home.logFile(), daemon);
        rememberSecrets(settings.secrets());
        Inbox inbox = new Inbox(home.inboxFile(), Clock.systemUTC());
        Phone phone = settings.ntfyTopic().isEmpty() || settings.phone().replyTopic().isEmpty() ? null
                : new Phone(inbox, new NtfyClient(settings.ntfyServer(), settings.secrets().ntfyToken()),
                        new Phone.Config(settings.ntfyTopic(), settings.phone().replyTopic(), settings.secrets().ntfyToken(),
                                settings.phone().renotify(), settings.phone().maxRenotify()),
                        Clock.systemUTC(), () -> { });   // the loop watches state/: the inbox's change wakes it
        Notifier notifier = phone == null ? Notifier.NONE : new InboxNotifier(inbox, phone::wake);
        OkHttpClient http = AnthropicCoordinator.defaultClient();
        FileDispatchTarget files = new FileDispatchTarget(home);
        boolean containers = !settings.containerSessions().isEmpty();
        AgentRuntime runtime = containers ? DockerAgentRuntime.fromEnvironment() : null;
        AgentSupervisor supervisor = containers ? new AgentSupervisor(home, settings, runtime, notifier, Clock.systemUTC(),
                () -> {
                    Secrets fresh = loader.reloadSecrets(home);   // each start: a token added to .env meanwhile is taken
                    rememberSecrets(fresh);
                    return fresh;
                }) : null;
        DispatchTarget waitForContainers = supervisor != null ? supervisor : entry -> false;
        RelayLoop loop = new RelayLoop(settings, Clock.systemUTC(),
                s -> s.secrets().anthropicApiKey().map(key -> (Coordinator) new AnthropicCoordinator(http, s.anthropicBaseUrl(), key)),
                s -> {
                    Settings reloaded = s.withSecrets(loader.reloadSecrets(home));
                    rememberSecrets(reloaded.secrets());
                    return reloaded;
                },
                notifier,
                session -> settings.isContainerSession(session) ? waitForContainers : files);

        // Claude Code's hooks reach this relay on loopback (fast); a hook finding no endpoint runs Relay itself
        HookServer hookServer = null;
        try {
            hookServer = HookServer.start(home, Clock.systemUTC(), settings::permissions,
                    () -> settings.secrets().anthropicApiKey().map(key -> (Coordinator) new AnthropicCoordinator(http,
                            settings.anthropicBaseUrl(), key)), settings::model);
            HookServer wakes = hookServer;
            loop.addListener(event -> {
                if (event instanceof RelayEvent.ReplyQueued q) {
                    wakes.wake(q.session());   // the hook takes it from the outbox, before the relay's own hand-over
                } else if (event instanceof RelayEvent.ReplyDelivered d) {
                    wakes.wake(d.session());
                }
            });
        } catch (java.io.IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(RunBase.class).warn(
                    "cannot open the loopback endpoint for Claude Code hooks ({}); hooks run Relay themselves (slower)",
                    e.getMessage());
        }
        if (supervisor != null) {
            loop.onAgentRestart(supervisor::restartNow);
            supervisor.useBudget(new dev.relay.agents.AgentBudget() {
                @Override
                public boolean mayStart(dev.relay.core.SessionId session) {
                    return loop.mayStartAgent(session);
                }

                @Override
                public void spent(dev.relay.core.SessionId session, java.util.Optional<String> sdkSession, double costUsd,
                                  double totalUsd) {
                    loop.agentSpent(session, sdkSession, costUsd, totalUsd);
                }

                @Override
                public java.util.OptionalDouble costSoFar(dev.relay.core.SessionId session, String sdkSession) {
                    return loop.agentTotal(session, sdkSession);
                }
            });
        }
        loop.start();
        if (phone != null) {
            phone.start();
            loop.addListener(event -> {
                if (event instanceof RelayEvent.Raised) {
                    phone.wake();
                }
            });
        }
        java.util.concurrent.ScheduledExecutorService trackerThread = null;
        if (supervisor != null) {
            supervisor.start();
            TrackerForwarder tracker = new TrackerForwarder(home,
                    settings.containerSessions().stream().map(SessionConfig::id).toList(),
                    settings.trackerUrl(), settings.secrets().trackerToken(), http, Clock.systemUTC());
            trackerThread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "relay-tracker");
                t.setDaemon(true);
                return t;
            });
            trackerThread.scheduleWithFixedDelay(() -> {
                try {
                    tracker.forwardOnce();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(RunBase.class).warn("tracker forwarding failed; going on", e);
                }
            }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
        Settings.CoordinatorMode mode = settings.coordinatorMode().effective(settings.secrets().anthropicApiKey().isPresent());
        if (mode == Settings.CoordinatorMode.OPERATOR && settings.coordinatorMode() == Settings.CoordinatorMode.OPERATOR) {
            org.slf4j.LoggerFactory.getLogger(RunBase.class).info(
                    "coordinator: operator (config.yaml): each report is an inbox item you answer");
        } else if (mode == Settings.CoordinatorMode.OPERATOR) {
            org.slf4j.LoggerFactory.getLogger(RunBase.class).warn(
                    "ANTHROPIC_API_KEY is not set: you are the coordinator until it is; each report is an inbox item you"
                    + " answer (`relay inbox`, `relay answer CODE TEXT`, the console's i, or the phone); add the key to {}"
                    + " and the model takes over with the whole history", home.envFile());
        } else if (settings.secrets().anthropicApiKey().isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(RunBase.class).warn(
                    "ANTHROPIC_API_KEY is not set (coordinator: anthropic): envelopes are queued but not sent; add it to"
                    + " {} and run `relay resume`", home.envFile());
        }
        if (daemon) {
            stop.await();
            org.slf4j.LoggerFactory.getLogger(RunBase.class).info("stopping (signal received)");
        } else {
            ConsoleRunner.run(home, settings, loop, stop);
            org.slf4j.LoggerFactory.getLogger(RunBase.class).info("stopping (console closed)");
        }
        loop.close();
        if (hookServer != null) {
            hookServer.close();
        }
        if (trackerThread != null) {
            trackerThread.shutdownNow();
        }
        if (supervisor != null) {
            supervisor.close();   // the containers go on; the next start finds them again
            runtime.close();
        }
        if (phone != null) {
            phone.close();
        }
        http.dispatcher().executorService().shutdownNow();
        http.connectionPool().evictAll();
        return ExitCodes.OK;
    }

    private static void rememberSecrets(Secrets s) {
        s.values().forEach(Redactor::addSecret);
    }
}
