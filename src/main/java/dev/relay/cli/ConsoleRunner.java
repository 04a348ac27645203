package dev.relay.cli;

import com.googlecode.lanterna.screen.TerminalScreen;
import dev.relay.config.SessionConfig;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.monitor.FileOperatorActions;
import dev.relay.monitor.HomeMonitor;
import dev.relay.relay.RelayLoop;
import dev.relay.tui.Console;
import dev.relay.tui.ConsoleHost;
import dev.relay.tui.ConsoleTerminal;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the console to a home: over this process's relay loop, or attached to another relay ({@code loop} null). */
final class ConsoleRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRunner.class);

    private ConsoleRunner() {}

    static int run(Home home, Settings settings, RelayLoop loop, CountDownLatch stop) throws Exception {
        HomeMonitor monitor = new HomeMonitor(home, settings.sessions().stream().map(s -> s.id().value()).toList(),
                settings.maxEnvelopeBytes(), Clock.systemUTC(), HomeMonitor.IDLE_INTERVAL);
        ConsoleTerminal terminal = new ConsoleTerminal(System.in, System.out, StandardCharsets.UTF_8);
        TerminalScreen screen = new TerminalScreen(terminal);
        Console console = new Console(screen, monitor, new FileOperatorActions(home, Clock.systemUTC(), settings.maxEnvelopeBytes()),
                loop == null ? ConsoleHost.ATTACHED_TO_DAEMON : ConsoleHost.IN_PROCESS, Clock.systemUTC());
        if (loop != null) {
            loop.addListener(event -> monitor.poke());
        }
        // nothing but the console may write to the terminal: stray output goes to the log instead
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(new PrintStream(new LogStream("stdout"), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new LogStream("stderr"), true, StandardCharsets.UTF_8));
        try {
            console.run(() -> stop.getCount() == 0);
        } finally {
            System.setOut(out);
            System.setErr(err);
            terminal.close();
        }
        if (loop == null) {
            out.println("console closed; the relay in " + home.root() + " keeps running (`relay status`)");
        }
        return ExitCodes.OK;
    }

    /** Lines written to System.out or System.err while the console owns the terminal, sent to the log. */
    private static final class LogStream extends OutputStream {
        private final String name;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LogStream(String name) {
            this.name = name;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                LOG.warn("{}: {}", name, line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else if (line.size() < 8192) {
                line.write(b);
            }
        }
    }
}
