package dev.relay.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import dev.relay.monitor.HomeMonitor;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.OperatorActions;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full-screen console: one thread reads keys, keeps the newest snapshot of the home and repaints, at most ten
 * times a second for new data (a little faster while the operator types). It only reads the relay's files and writes
 * the operator's, so the relay never waits for the screen, and a slow terminal slows nothing but the console.
 */
public final class Console {
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);
    private static final long DATA_FRAME_NANOS = 100_000_000L;
    private static final long INPUT_FRAME_NANOS = 30_000_000L;
    private static final long IDLE_PARK_NANOS = 25_000_000L;

    private final Screen screen;
    private final HomeMonitor monitor;
    private final ConsoleController controller;
    private final ConsoleRenderer renderer = new ConsoleRenderer();
    private final Clock clock;
    private final AtomicLong frames = new AtomicLong();
    private volatile Thread thread;
    private volatile long firstFrameNanos = -1;
    private String belledFor;

    public Console(Screen screen, HomeMonitor monitor, OperatorActions actions, Panes.Mode mode, Clock clock) {
        this.screen = screen;
        this.monitor = monitor;
        this.clock = clock;
        this.controller = new ConsoleController(actions, monitor::latest, clock, mode);
        this.controller.afterAction = monitor::poke;
    }

    /** Frames drawn so far (for tests and the benchmark). */
    public long frames() {
        return frames.get();
    }

    /** Nanoseconds from {@link #run} to the first frame on the terminal, or -1 before it. */
    public long firstFrameNanos() {
        return firstFrameNanos;
    }

    public ConsoleController controller() {
        return controller;
    }

    /** Wakes the console thread (new data, a signal); safe from any thread and never blocks. */
    public void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Runs the console on the calling thread until the operator quits (q, y), the input ends, or {@code stop} says so.
     * The screen is started here and stopped on the way out, whatever happens.
     */
    public void run(BooleanSupplier stop) throws IOException {
        long started = System.nanoTime();
        thread = Thread.currentThread();
        screen.startScreen();
        try {
            monitor.poll();
            monitor.start(this::wake);
            long lastPaint = 0;
            long drawnVersion = -1;
            boolean dirty = true;
            boolean typed = false;
            boolean full = false; // after a resize: the whole terminal is redrawn, not only what changed
            while (!controller.quitRequested() && !stop.getAsBoolean()) {
                KeyStroke key;
                while ((key = screen.pollInput()) != null) {
                    controller.handle(key);
                    dirty = true;
                    typed = true;
                    if (controller.quitRequested()) {
                        break;
                    }
                }
                if (controller.quitRequested()) {
                    break;
                }
                TerminalSize resized = screen.doResizeIfNecessary();
                if (resized != null) {
                    dirty = true;
                    full = true;
                }
                HomeSnapshot snapshot = monitor.latest();
                if (snapshot.version() != drawnVersion) {
                    dirty = true;
                }
                long now = System.nanoTime();
                long gap = typed ? INPUT_FRAME_NANOS : DATA_FRAME_NANOS;
                if (dirty && now - lastPaint >= gap) {
                    paint(snapshot, full);
                    ring(snapshot);
                    drawnVersion = snapshot.version();
                    lastPaint = System.nanoTime();
                    if (firstFrameNanos < 0) {
                        firstFrameNanos = lastPaint - started;
                    }
                    dirty = false;
                    typed = false;
                    full = false;
                    continue;
                }
                long park = dirty ? Math.max(1_000_000L, gap - (now - lastPaint)) : IDLE_PARK_NANOS;
                LockSupport.parkNanos(Math.min(park, IDLE_PARK_NANOS));
            }
        } finally {
            monitor.close();
            thread = null;
            try {
                screen.stopScreen();
            } catch (IOException | RuntimeException e) {
                LOG.warn("restoring the terminal failed: {}", e.toString());
            }
        }
    }

    private void paint(HomeSnapshot snapshot, boolean full) {
        try {
            TerminalSize size = screen.getTerminalSize();
            TerminalPosition cursor = renderer.draw(screen.newTextGraphics(), size, snapshot, controller, clock.instant());
            screen.setCursorPosition(cursor);
            screen.refresh(full ? Screen.RefreshType.COMPLETE : Screen.RefreshType.DELTA);
            frames.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            // a frame that cannot be drawn must not end the console (nor reach the screen as a stack trace)
            LOG.warn("drawing the console failed", e);
            controller.say("the screen could not be drawn: " + e.getMessage() + " (see logs/relay.log)", Style.ERROR);
        }
    }

    /** The terminal bell, once per needs_jc pause. */
    private void ring(HomeSnapshot snapshot) {
        if (!"needs_jc".equals(snapshot.state())) {
            return;
        }
        String at = snapshot.status().map(s -> Objects.toString(s.lastNeedsJcAt(), "")).orElse("");
        if (at.equals(belledFor)) {
            return;
        }
        belledFor = at;
        if (screen instanceof TerminalScreen ts) {
            try {
                ts.getTerminal().bell();
                ts.getTerminal().flush();
            } catch (IOException e) {
                LOG.debug("bell failed", e);
            }
        }
    }
}
