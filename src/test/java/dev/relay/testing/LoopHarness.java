package dev.relay.testing;

import dev.relay.anthropic.Coordinator;
import dev.relay.config.ConfigLoader;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.FileDispatchTarget;
import dev.relay.files.AtomicFiles;
import dev.relay.queue.EnvelopeWriter;
import dev.relay.relay.RelayEvent;
import dev.relay.relay.RelayLoop;
import dev.relay.state.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A relay loop on a temporary home, with a scripted coordinator and a recording notifier. */
public final class LoopHarness implements AutoCloseable {
    public final Home home;
    public final ScriptedCoordinator coordinator = new ScriptedCoordinator();
    public final RecordingNotifier notifier = new RecordingNotifier();
    public final List<RelayEvent> events = new CopyOnWriteArrayList<>();
    public final Map<String, String> env = new HashMap<>();
    private final Clock clock;
    private RelayLoop loop;
    private Coordinator real;
    private java.util.function.Function<SessionId, Optional<dev.relay.dispatch.DispatchTarget>> targets = s -> Optional.empty();
    private java.util.function.Consumer<RelayLoop> beforeStart = l -> {};

    /** The home's inbox as it is now. */
    public dev.relay.inbox.Inbox.Data inbox() {
        return new dev.relay.inbox.Inbox(home.inboxFile(), clock).read();
    }

    /** The open items of {@code kind}, most urgent first. */
    public List<dev.relay.inbox.Item> open(dev.relay.inbox.Kind kind) {
        return inbox().open().stream().filter(i -> i.kind() == kind).toList();
    }

    public LoopHarness(Path dir, Clock clock) {
        this.home = new Home(dir);
        this.clock = clock;
        env.put("ANTHROPIC_API_KEY", "sk-ant-test-key-0123456789");
        env.put("NTFY_TOPIC", "test-topic");
    }

    public LoopHarness config(String yaml) {
        write(home.configFile(), yaml);
        return this;
    }

    /** Uses this coordinator (for example the real HTTP client against a fake API) instead of the scripted one. */
    public LoopHarness withCoordinator(Coordinator coordinator) {
        this.real = coordinator;
        return this;
    }

    /** Dispatches to these targets where they say so (container sessions, say), else to files. */
    public LoopHarness withTargets(java.util.function.Function<SessionId, Optional<dev.relay.dispatch.DispatchTarget>> targets) {
        this.targets = targets;
        return this;
    }

    /** Runs {@code prepare} on the loop after it is made and before it starts (a test seam, say). */
    public LoopHarness beforeStart(java.util.function.Consumer<RelayLoop> prepare) {
        this.beforeStart = prepare;
        return this;
    }

    public LoopHarness withoutApiKey() {
        env.remove("ANTHROPIC_API_KEY");
        return this;
    }

    public Settings settings() {
        return new ConfigLoader(env, Map.of()).load(home, false);
    }

    public LoopHarness start() {
        build().start();
        return this;
    }

    /** Makes the loop as {@link #start()} does, without starting it: a test in the relay package steps it itself. */
    public RelayLoop build() {
        Settings settings = settings();
        FileDispatchTarget files = new FileDispatchTarget(home);
        loop = new RelayLoop(settings, clock,
                s -> s.secrets().anthropicApiKey().map(k -> real != null ? real : (Coordinator) coordinator),
                s -> s.withSecrets(new ConfigLoader(env, Map.of()).reloadSecrets(home)),
                notifier, session -> targets.apply(session).orElse(files));
        loop.addListener(events::add);
        beforeStart.accept(loop);
        return loop;
    }

    public RelayLoop loop() {
        return loop;
    }

    public Path send(String session, String content) {
        return EnvelopeWriter.write(home.queueDir(), SessionId.of(session), content, Optional.empty());
    }

    public Path send(String session, String content, String id) {
        return EnvelopeWriter.write(home.queueDir(), SessionId.of(session), content, Optional.of(id));
    }

    /** Drops raw bytes into queue/ the way a writer should: a hidden temp name, then a rename. */
    public Path raw(String name, byte[] bytes) {
        try {
            Files.createDirectories(home.queueDir());
            Path tmp = home.queueDir().resolve("." + name + ".tmp");
            Files.write(tmp, bytes);
            Path target = home.queueDir().resolve(name);
            Files.move(tmp, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<String> input(String session) {
        Path f = home.inputFile(SessionId.of(session));
        try {
            return Files.exists(f) ? Optional.of(Files.readString(f)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Reads and deletes the session's input.txt, as a file session does; waits for it. */
    public String take(String session) {
        Await.until("input.txt of " + session, () -> input(session).isPresent());
        String text = input(session).orElseThrow();
        try {
            Files.delete(home.inputFile(SessionId.of(session)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text;
    }

    public void override(String text) {
        AtomicFiles.write(home.jcInputFile(), text);
    }

    public Status status() {
        return loop.snapshot();
    }

    public long queued() {
        try (var s = Files.list(home.queueDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> journalLines() {
        try {
            return Files.readAllLines(home.conversationFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
