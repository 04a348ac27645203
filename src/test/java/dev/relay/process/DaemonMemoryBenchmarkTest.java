package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.core.SessionId;
import dev.relay.queue.EnvelopeWriter;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/BENCHMARKS.md, "Memory": the daemon (target/relay.jar, started as the README and the systemd unit start it)
 * answering a backlog of 5,000 envelopes from 50 sessions against a fake API that answers at once, its resident set
 * sampled from /proc every 50 ms, and the live heap (a class histogram) taken half-way. Run with
 * `mvn -B package -DskipTests && mvn -B -Pbenchmark test -Dtest=DaemonMemoryBenchmarkTest`.
 */
@Tag("benchmark")
class DaemonMemoryBenchmarkTest {
    private static final int ENVELOPES = 5_000;
    private static final int SESSIONS = 50;

    @TempDir
    Path dir;

    static void report(String line) {
        dev.relay.testing.BenchmarkReport.line(line);
    }

    @Test
    void peak_resident_set_answering_5000_envelopes() throws Exception {
        // as launched by hand (`java -jar`), and with the launchers' flags (jbang, the systemd unit in the README)
        // -Drelay.bench.baseline=/path/to/an/older/relay.jar measures that build too, in the same run
        String baseline = System.getProperty("relay.bench.baseline", "");
        if (!baseline.isEmpty()) {
            run(Path.of(baseline), "baseline " + baseline + ", no flags", List.of());
            run(Path.of(baseline), "baseline " + baseline + ", the launchers' flags", RelayProcess.LAUNCHER_FLAGS);
        }
        run(RelayProcess.JAR, "java -jar (no flags)", List.of());
        run(RelayProcess.JAR, "java -jar with the launchers' flags", RelayProcess.LAUNCHER_FLAGS);
    }

    private void run(Path jar, String label, List<String> jvmFlags) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home-" + System.nanoTime()));
        Files.writeString(home.resolve("config.yaml"), "sessions:\n" + sessions());
        for (int i = 0; i < ENVELOPES; i++) {
            EnvelopeWriter.write(home.resolve("queue"), SessionId.of("s" + (i % SESSIONS)), report(i), Optional.empty());
        }
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.fast(true);
            AtomicBoolean done = new AtomicBoolean();
            Thread drain = new Thread(() -> {   // the fake's server keeps every request it got: forget them
                while (!done.get()) {
                    try {
                        api.server().takeRequest(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            drain.start();
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-memory-bench", "ANTHROPIC_BASE_URL", api.baseUrl(),
                    "NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t");
            long started = System.nanoTime();
            Process relay = RelayProcess.startJar(jar, jvmFlags, home, env, home.resolveSibling(home.getFileName() + ".log"),
                    "run", "--daemon");
            AtomicLong peakKb = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (relay.isAlive()) {
                    peakKb.accumulateAndGet(procStatus(relay.pid(), "VmRSS"), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            String histogram = "";
            try {
                Await.until("half the backlog answered", Duration.ofMinutes(10), () -> queued(home) <= ENVELOPES / 2);
                histogram = jcmd(relay.pid(), "GC.class_histogram");
                Await.until("the backlog answered", Duration.ofMinutes(10), () -> queued(home) == 0);
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
                long hwm = procStatus(relay.pid(), "VmHWM");
                String heap = jcmd(relay.pid(), "GC.heap_info");
                if (String.join(" ", jvmFlags).contains("NativeMemoryTracking")) {
                    heap += jcmd(relay.pid(), "VM.native_memory summary");
                }
                relay.destroy();
                assertEquals(true, relay.waitFor(30, TimeUnit.SECONDS));
                report(String.format("memory, %s: %,d envelopes from %d sessions in %d s; peak RSS %d MB (VmHWM), "
                        + "highest sample %d MB; live heap half-way %d MB", label, ENVELOPES, SESSIONS, seconds,
                        hwm / 1024, peakKb.get() / 1024, liveBytes(histogram) / (1024 * 1024)));
                System.out.println("heap at the end, " + label + ":\n" + heap);
                System.out.println("largest live classes half-way, " + label + ":\n" + top(histogram, 12));
            } finally {
                relay.destroyForcibly();
                done.set(true);
                drain.join();
                sampler.join();
            }
        }
    }

    private static String sessions() {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < SESSIONS; s++) {
            b.append("  - id: s").append(s).append('\n');
        }
        return b.toString();
    }

    /** A report the size agents send: a few lines of what was done, with a path or two. */
    private static String report(int i) {
        return "Report " + i + ": finished the step; ran the tests (212 passed, 0 failed); changed src/app/module"
                + (i % 37) + ".ts and its test; next I will wire the handler into the router and run the e2e suite. "
                + "x".repeat(200 + (i % 300));
    }

    private static long queued(Path home) {
        try (var s = Files.list(home.resolve("queue"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** A "VmRSS:  123456 kB" line of /proc/PID/status, in kB; 0 once the process is gone. */
    private static long procStatus(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return 0;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** The histogram's "Total" line: bytes of live objects (jcmd's histogram collects garbage first). */
    private static long liveBytes(String histogram) {
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("Total")) {
                return Long.parseLong(f[2]);
            }
        }
        return -1;
    }

    private static String top(String histogram, int n) {
        List<String> lines = new ArrayList<>();
        for (String line : histogram.split("\n")) {
            if (line.trim().matches("\\d+:.*") && lines.size() < n) {
                lines.add(line);
            }
        }
        return String.join("\n", lines);
    }
}
