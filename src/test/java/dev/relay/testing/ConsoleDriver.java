package dev.relay.testing;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import com.googlecode.lanterna.terminal.virtual.VirtualTerminalListener;
import dev.relay.core.Home;
import dev.relay.monitor.FileOperatorActions;
import dev.relay.monitor.HomeMonitor;
import dev.relay.monitor.OperatorActions;
import dev.relay.tui.Console;
import dev.relay.tui.ConsoleHost;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** The real console on lanterna's virtual terminal, on its own thread: keys in, drawn text out. */
public final class ConsoleDriver implements AutoCloseable {
    public final DefaultVirtualTerminal terminal;
    public final Console console;
    public final HomeMonitor monitor;
    private final AtomicInteger bells = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private final Thread thread;

    public ConsoleDriver(Home home, List<String> sessions, ConsoleHost host, int columns, int rows) {
        this(home, sessions, host, columns, rows, new FileOperatorActions(home));
    }

    public ConsoleDriver(Home home, List<String> sessions, ConsoleHost host, int columns, int rows, OperatorActions actions) {
        this(home, sessions, host, new DefaultVirtualTerminal(new TerminalSize(columns, rows)), actions, true);
    }

    /** On a given terminal (a slow one, say); {@code awaitFirstFrame} false when the terminal may not draw at once. */
    public ConsoleDriver(Home home, List<String> sessions, ConsoleHost host, DefaultVirtualTerminal terminal,
                         OperatorActions actions, boolean awaitFirstFrame) {
        this.terminal = terminal;
        terminal.addVirtualTerminalListener(new VirtualTerminalListener() {
            @Override
            public void onFlush() {}

            @Override
            public void onBell() {
                bells.incrementAndGet();
            }

            @Override
            public void onClose() {}

            @Override
            public void onResized(com.googlecode.lanterna.terminal.Terminal t, TerminalSize size) {}
        });
        monitor = new HomeMonitor(home, sessions, 1 << 20, Clock.systemUTC(), Duration.ofMillis(20));
        TerminalScreen screen;
        try {
            screen = new TerminalScreen(terminal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        console = new Console(screen, monitor, actions, host, Clock.systemUTC());
        thread = new Thread(() -> {
            try {
                console.run(() -> stop);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-console");
        thread.start();
        if (awaitFirstFrame) {
            Await.until("the first frame", () -> console.frames() > 0);
        }
    }

    /**
     * What the terminal shows, row by row: one whole frame, never one half drawn (the console draws on its own
     * thread). A terminal stuck in a refresh for over two seconds is read as it is.
     */
    public String text() {
        long giveUp = System.nanoTime() + 2_000_000_000L;
        while (true) {
            long ended = console.refreshesEnded();
            if (console.refreshesStarted() == ended) {
                String text = rawText();
                if (console.refreshesStarted() == ended) {
                    return text;
                }
            }
            if (System.nanoTime() > giveUp) {
                return rawText();
            }
            Thread.onSpinWait();
        }
    }

    private String rawText() {
        TerminalSize size = terminal.getTerminalSize();
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < size.getRows(); r++) {
            b.append(rawRow(r)).append('\n');
        }
        return b.toString();
    }

    /** Row r of one whole frame. */
    public String row(int r) {
        return text().split("\n", -1)[r];
    }

    private String rawRow(int r) {
        TerminalSize size = terminal.getTerminalSize();
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < size.getColumns(); c++) {
            TextCharacter ch = terminal.getCharacter(c, r);
            b.append(ch == null ? " " : ch.getCharacterString());
        }
        return b.toString();
    }

    public TextCharacter at(int column, int row) {
        return terminal.getCharacter(column, row);
    }

    public void awaitText(String what) {
        try {
            Await.until("the screen to show \"" + what + "\"", () -> text().contains(what));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the screen:\n" + text(), e);
        }
    }

    public void awaitGone(String what) {
        try {
            Await.until("the screen to stop showing \"" + what + "\"", () -> !text().contains(what));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the screen:\n" + text(), e);
        }
    }

    public void press(char c) {
        terminal.addInput(new KeyStroke(c, false, false));
    }

    public void press(KeyType type) {
        terminal.addInput(new KeyStroke(type));
    }

    public void press(KeyStroke stroke) {
        terminal.addInput(stroke);
    }

    public void type(String text) {
        for (char c : text.toCharArray()) {
            press(c);
        }
    }

    public void resize(int columns, int rows) {
        terminal.setTerminalSize(new TerminalSize(columns, rows));
    }

    public int bells() {
        return bells.get();
    }

    public boolean running() {
        return thread.isAlive();
    }

    public void awaitExit() {
        Await.until("the console to end", () -> !thread.isAlive());
        if (failure.get() != null) {
            throw new AssertionError("the console failed", failure.get());
        }
    }

    @Override
    public void close() {
        stop = true;
        console.wake();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new AssertionError("the console failed", failure.get());
        }
    }
}
