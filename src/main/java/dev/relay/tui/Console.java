package dev.relay.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.VirtualTerminal;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import dev.relay.monitor.HomeMonitor;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.OperatorActions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
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
    private static final long MAX_PARK_NANOS = 1_000_000_000L;

    private final Screen screen;
    private final HomeMonitor monitor;
    private final ConsoleController controller;
    private final Clock clock;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong refreshesStarted = new AtomicLong();
    private final AtomicLong refreshesEnded = new AtomicLong();
    private volatile Thread thread;
    private volatile long firstFrameNanos = -1;
    private String belledFor;
    private final ConcurrentLinkedQueue<KeyStroke> keys = new ConcurrentLinkedQueue<>();
    private volatile boolean inputStop;
    private volatile boolean inputEnded;
    private String lastDrawFailure;

    public Console(Screen screen, HomeMonitor monitor, OperatorActions actions, ConsoleHost host, Clock clock) {
        this.screen = screen;
        this.monitor = monitor;
        this.clock = clock;
        this.controller = new ConsoleController(actions, monitor::latest, clock, host, monitor::poke, monitor::follow);
    }

    /** Frames drawn so far (for tests and the benchmark). */
    public long frames() {
        return frames.get();
    }

    /**
     * Refreshes of the terminal begun and ended so far: equal when none is under way. A reader of the terminal (a
     * test on a virtual one) that sees them equal and unchanged across its read saw one whole frame.
     */
    public long refreshesStarted() {
        return refreshesStarted.get();
    }

    public long refreshesEnded() {
        return refreshesEnded.get();
    }

    /** Nanoseconds from {@link #run} to the first frame on the terminal, or -1 before it. */
    public long firstFrameNanos() {
        return firstFrameNanos;
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
        Thread input = startInput();
        if (screen instanceof TerminalScreen ts) {
            ts.getTerminal().addResizeListener((t, size) -> wake());
        }
        try {
            monitor.poll();
            monitor.start(this::wake);
            long lastPaint = 0;
            long drawnVersion = -1;
            boolean dirty = true;
            boolean typed = false;
            boolean full = false; // after a resize: the whole terminal is redrawn, not only what changed
            boolean flashShown = false;
            while (!controller.quitRequested() && !stop.getAsBoolean()) {
                KeyStroke key;
                if (!keys.isEmpty()) {
                    layOut();
                }
                while ((key = keys.poll()) != null) {
                    controller.handle(key);
                    dirty = true;
                    typed = true;
                    if (controller.quitRequested()) {
                        break;
                    }
                }
                if (controller.quitRequested() || inputEnded) {
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
                if (flashShown != controller.flash().isPresent()) {
                    dirty = true; // a message appeared or its time is up
                }
                long now = System.nanoTime();
                long gap = typed ? INPUT_FRAME_NANOS : DATA_FRAME_NANOS;
                if (dirty && now - lastPaint >= gap) {
                    paint(snapshot, full);
                    ring(snapshot);
                    drawnVersion = snapshot.version();
                    flashShown = controller.flash().isPresent();
                    lastPaint = System.nanoTime();
                    if (firstFrameNanos < 0) {
                        firstFrameNanos = lastPaint - started;
                    }
                    dirty = false;
                    typed = false;
                    full = false;
                    continue;
                }
                // Sleep until something happens: a key, new data, a resize (each wakes this thread), the next frame
                // allowed by the throttle, or a message's time running out; at most a second, to look at `stop`.
                long park = dirty ? Math.max(1_000_000L, gap - (now - lastPaint)) : MAX_PARK_NANOS;
                if (flashShown) {
                    long left = controller.flash().map(f -> Duration.between(clock.instant(), f.until()).toNanos())
                            .orElse(0L);
                    park = Math.min(park, Math.max(1_000_000L, left + 1_000_000L));
                }
                LockSupport.parkNanos(Math.min(park, MAX_PARK_NANOS));
            }
        } finally {
            monitor.close();
            thread = null;
            inputStop = true;
            input.interrupt();
            try {
                screen.stopScreen();
            } catch (IOException | RuntimeException e) {
                LOG.warn("restoring the terminal failed: {}", e.toString());
            }
        }
    }

    /**
     * Keys are read on their own thread and handed over, so that the console thread sleeps until something happens.
     * A real terminal's read blocks; lanterna's virtual terminal blocks while holding its lock (which drawing needs),
     * so it is polled instead.
     */
    private Thread startInput() {
        boolean virtual = screen instanceof TerminalScreen ts && ts.getTerminal() instanceof VirtualTerminal;
        Thread t = new Thread(() -> {
            try {
                while (!inputStop) {
                    KeyStroke k = virtual ? screen.pollInput() : screen.readInput();
                    if (k == null) {
                        LockSupport.parkNanos(5_000_000L);
                        continue;
                    }
                    if (k.getKeyType() == KeyType.EOF) {
                        inputEnded = true;   // the terminal is gone (an SSH connection dropped)
                        wake();
                        return;
                    }
                    keys.add(k);
                    wake();
                }
            } catch (IOException | RuntimeException e) {
                if (!inputStop) {
                    LOG.warn("reading keys failed; the console ends", e);
                    inputEnded = true;
                    wake();
                }
            }
        }, "relay-console-input");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The panes laid out on the newest snapshot, so that scrolling keys move by the pages the operator sees. */
    private void layOut() {
        try {
            controller.layOut(monitor.latest(), screen.getTerminalSize(), clock.instant());
        } catch (RuntimeException e) {
            LOG.debug("laying out the console failed; the next frame reports it", e);
        }
    }

    private void paint(HomeSnapshot snapshot, boolean full) {
        try {
            ConsoleView view = controller.view(snapshot, screen.getTerminalSize(), clock.instant());
            ConsoleRenderer.draw(screen.newTextGraphics(), view);
            screen.setCursorPosition(view.cursor().orElse(null));
            refreshesStarted.incrementAndGet();
            try {
                screen.refresh(full ? Screen.RefreshType.COMPLETE : Screen.RefreshType.DELTA);
            } finally {
                refreshesEnded.incrementAndGet();
            }
            frames.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            // a frame that cannot be drawn must not end the console (nor reach the screen as a stack trace);
            // the same failure on every frame is logged once
            String what = String.valueOf(e);
            if (!what.equals(lastDrawFailure)) {
                lastDrawFailure = what;
                LOG.warn("drawing the console failed", e);
            }
            controller.say("the screen could not be drawn: " + e.getMessage() + " (see the log)", Style.ERROR);
        }
    }

    /** The terminal bell, once per needs_jc pause. */
    private void ring(HomeSnapshot snapshot) {
        if (!snapshot.needsJc()) {
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
