package dev.relay.bench;

import static dev.relay.bench.RelayBenchmarkTest.report;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.relay.core.Home;
import dev.relay.logging.Logging;
import dev.relay.monitor.FileOperatorActions;
import dev.relay.monitor.HomeMonitor;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import dev.relay.tui.Console;
import dev.relay.tui.ConsoleHost;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's figures of docs/BENCHMARKS.md: first frame, idle CPU, and repaints under a burst of turns. */
@Tag("benchmark")
class ConsoleBenchmarkTest {
    @TempDir
    Path dir;

    /** A console on a virtual terminal, on its own thread. */
    private static final class Running implements AutoCloseable {
        final Console console;
        final HomeMonitor monitor;
        final Thread thread;
        final AtomicBoolean stop = new AtomicBoolean();

        Running(Home home, ConsoleHost host, int cols, int rows) throws Exception {
            monitor = new HomeMonitor(home, List.of("s1"), 1 << 20, Clock.systemUTC(), HomeMonitor.IDLE_INTERVAL);
            console = new Console(new TerminalScreen(new DefaultVirtualTerminal(new TerminalSize(cols, rows))), monitor,
                    new FileOperatorActions(home), host, Clock.systemUTC());
            thread = new Thread(() -> {
                try {
                    console.run(stop::get);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "bench-console");
            thread.start();
            Await.until("first frame", Duration.ofSeconds(30), () -> console.frames() > 0);
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            console.wake();
            thread.join(5000);
        }
    }

    /** A home with 1,000 turns (about 420k characters) and a 2,000-line log, as after a long day. */
    private static Home longDay(Path root) throws Exception {
        Home home = new Home(root);
        Files.createDirectories(home.stateDir());
        Files.createDirectories(home.logsDir());
        StringBuilder journal = new StringBuilder();
        Instant at = Instant.parse("2026-11-23T08:00:00Z");
        for (int i = 0; i < 1000; i++) {
            String type = i % 2 == 0 ? "user" : "assistant";
            String speaker = i % 2 == 0 ? ",\"speaker\":\"s" + (i % 7) + "\"" : "";
            journal.append("{\"type\":\"").append(type).append('"').append(speaker)
                    .append(",\"content\":\"").append(("turn " + i + " with a report of progress and test output. ").repeat(8))
                    .append("\",\"key\":\"k").append(i / 2).append("\",\"at\":\"").append(at.plusSeconds(i)).append("\"}\n");
        }
        Files.writeString(home.conversationFile(), journal);
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            log.append("2026-11-23T08:00:00.000Z INFO  [relay-loop] RelayLoop: turn for envelope ").append(i)
                    .append(" answered in 7 ms (100 in, 0 cached, 20 out, $0.0004)\n");
        }
        Files.writeString(home.logFile(), log);
        return home;
    }

    @Test
    void first_frame_time() throws Exception {
        Home home = longDay(dir.resolve("home"));
        long[] ms = new long[6];
        for (int i = 0; i < ms.length; i++) {
            try (Running r = new Running(home, ConsoleHost.ATTACHED_TO_DAEMON, 200, 60)) {
                ms[i] = r.console.firstFrameNanos() / 1_000_000;
            }
        }
        long[] warm = Arrays.copyOfRange(ms, 1, ms.length);
        Arrays.sort(warm);
        report(String.format("console first frame, 200x60, home with 1,000 turns (%dk chars) and a 2,000-line log: "
                        + "first in this JVM %d ms, then median %d ms (max %d)",
                Files.size(home.conversationFile()) / 1000, ms[0], warm[warm.length / 2], warm[warm.length - 1]));
    }

    /**
     * The real thing: `relay` attached to a running daemon, each a separate JVM from target/relay.jar, the console
     * in a pseudo-terminal (util-linux `script`). CPU time is read from /proc for the console's whole process (its
     * threads, GC and JIT), after it has idled long enough for its code to be compiled.
     */
    @Test
    void idle_console_process_cpu() throws Exception {
        Path jar = Path.of("target", "relay.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -B package -DskipTests` first");
        }
        Path home = Files.createDirectories(dir.resolve("attached"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder daemonPb = new ProcessBuilder(java, "-jar", jar.toString(), "--home", home.toString(), "run", "--daemon");
        daemonPb.environment().put("NTFY_SERVER", "http://127.0.0.1:9");
        daemonPb.environment().put("NTFY_TOPIC", "bench");
        daemonPb.redirectErrorStream(true).redirectOutput(dir.resolve("daemon.out").toFile());
        Process daemon = daemonPb.start();
        Process console = null;
        try {
            Await.until("daemon status", Duration.ofSeconds(30), () -> Files.exists(home.resolve("state/status.json")));
            String inner = "stty rows 40 cols 120; exec " + java + " -jar " + jar + " --home " + home;
            ProcessBuilder pb = new ProcessBuilder("script", "-qfec", inner, "/dev/null");
            pb.environment().put("TERM", "xterm-256color");
            pb.environment().put("LANG", "C.UTF-8");
            pb.redirectErrorStream(true).redirectOutput(dir.resolve("console.out").toFile());
            console = pb.start();
            Process script = console;
            Await.until("the console's JVM", Duration.ofSeconds(30),
                    () -> script.descendants().anyMatch(h -> h.info().command().orElse("").endsWith("java")));
            long pid = console.descendants().filter(h -> h.info().command().orElse("").endsWith("java"))
                    .findFirst().orElseThrow().pid();
            Thread.sleep(45_000);    // settle: a console idles for hours, its code is compiled by then
            long cpu0 = procCpuTicks(pid);
            long wall0 = System.nanoTime();
            Thread.sleep(60_000);
            double seconds = (System.nanoTime() - wall0) / 1e9;
            double pct = 100.0 * (procCpuTicks(pid) - cpu0) / 100.0 / seconds;   // USER_HZ is 100 on Linux
            report(String.format("idle console process attached to an idle daemon (120x40 pty), %.0f s after 45 s of "
                    + "settling: %.2f%% of one core (the whole JVM: console, file monitor, GC, JIT)", seconds, pct));
        } finally {
            if (console != null) {
                console.descendants().forEach(ProcessHandle::destroy);
                console.destroy();
            }
            daemon.destroy();
            daemon.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static long procCpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);   // utime, stime (fields 14 and 15)
    }

    /** Repaints stay throttled while turns pour in: 100 envelopes a second for five seconds. */
    @Test
    void repaints_during_a_burst_of_turns() throws Exception {
        LoopHarness relay = new LoopHarness(dir.resolve("live"), Clock.systemUTC()).config("sessions:\n  - id: s1\n");
        Logging.configure(relay.home.logFile(), false);
        relay.start();
        try (Running r = new Running(relay.home, ConsoleHost.IN_PROCESS, 120, 40)) {
            relay.loop().addListener(e -> r.monitor.poke());
            long framesBefore = r.console.frames();
            long t0 = System.nanoTime();
            for (int i = 0; i < 500; i++) {
                relay.send("s1", "burst report " + i);
                long wait = t0 + (i + 1) * 10_000_000L - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                if (i % 20 == 0) {
                    Files.deleteIfExists(relay.home.inputFile(dev.relay.core.SessionId.of("s1")));
                }
            }
            double burstWall = (System.nanoTime() - t0) / 1e9;
            double fps = (r.console.frames() - framesBefore) / burstWall;
            Await.until("all 500 turns", Duration.ofSeconds(60), () -> relay.status().historyTurns() >= 1000);
            report(String.format("console during a burst of 500 envelopes at 100/s (%.1f s, all answered): %.1f frames/s",
                    burstWall, fps));
        } finally {
            relay.close();
        }
    }

}
