package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.Await;
import dev.relay.testing.ClaudeCli;
import dev.relay.testing.FakeAnthropic;
import dev.relay.testing.FakeClaudeModel;
import dev.relay.testing.FakeClaudeModel.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/BENCHMARKS.md, "Claude Code hook overhead": the real Claude Code CLI continued by a Stop hook, timed from the
 * end of the fake model's streamed answer (Claude Code stops) to its next request. A trivial hook that always
 * continues, Relay's hook with a relay running (its loopback endpoint), and Relay's hook when it has to start Relay
 * itself, all in one run: `mvn -B package -DskipTests && mvn -B -Pbenchmark test -Dtest=HookBenchmarkTest`.
 */
@Tag("benchmark")
class HookBenchmarkTest {
    private static final int CONTINUATIONS = 20;
    private static final int RUNS = 2;

    @TempDir
    Path dir;

    static void report(String line) {
        dev.relay.testing.BenchmarkReport.line(line);
    }

    /** Milliseconds from each streamed answer's end to the next request, over {@code RUNS} runs of the CLI. */
    private long[] gaps(Path project, Path user, FakeClaudeModel model) throws Exception {
        List<Long> out = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            int before = model.requests().size();
            ClaudeCli.Result r = ClaudeCli.run(project, user, model.baseUrl(), Duration.ofMinutes(10),
                    Map.of("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP", Integer.toString(CONTINUATIONS)), "-p", "Begin.");
            assertEquals(0, r.exitCode(), r.stderr());
            int after = model.requests().size();
            assertEquals(CONTINUATIONS + 1, after - before, "every stop was continued");
            for (int i = before; i < after - 1; i++) {
                out.add(Duration.between(model.respondedAt(i).orElseThrow(), model.requests().get(i + 1).at()).toNanos());
            }
        }
        long[] sorted = out.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted;
    }

    private static String summary(long[] sorted) {
        return String.format("p50 %.0f ms, p90 %.0f ms, max %.0f ms (%d stops)", pct(sorted, 0.5), pct(sorted, 0.9),
                sorted[sorted.length - 1] / 1e6, sorted.length);
    }

    private static double pct(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] / 1e6;
    }

    @Test
    void stop_to_next_request() throws Exception {
        ClaudeCli.require();
        try (FakeClaudeModel model = new FakeClaudeModel(); FakeAnthropic coordinator = new FakeAnthropic(Clock.systemUTC())) {
            AtomicInteger n = new AtomicInteger();
            model.script(r -> Reply.text("report R" + n.incrementAndGet()));
            coordinator.replies(req -> "go on");
            coordinator.fast(true);
            Path user = Files.createDirectories(dir.resolve("user"));

            Path trivial = Files.createDirectories(dir.resolve("trivial/.claude")).getParent();
            Files.writeString(trivial.resolve(".claude/settings.json"), """
                    {"hooks": {"Stop": [{"hooks": [{"type": "command", "timeout": 30, "command":
                      "cat >/dev/null; printf '%s' '{\\"hookSpecificOutput\\":{\\"hookEventName\\":\\"Stop\\",\\"additionalContext\\":\\"go on\\"}}'"}]}]}}
                    """);
            long[] baseline = gaps(trivial, user, model);

            Path home = Files.createDirectories(dir.resolve("relay"));
            Path project = Files.createDirectories(dir.resolve("project"));
            Process install = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    RelayProcess.JAR.toString(), "--home", home.toString(), "hook", "install", "--session", "app",
                    "--project", project.toString(), "--wait", "60").redirectErrorStream(true).start();
            install.getInputStream().readAllBytes();
            assertTrue(install.waitFor(60, TimeUnit.SECONDS));
            Process relay = RelayProcess.start(home, Map.of("ANTHROPIC_API_KEY", "sk-ant-bench", "ANTHROPIC_BASE_URL",
                    coordinator.baseUrl(), "NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t"), dir.resolve("relay.log"), "run", "--daemon");
            try {
                Path endpoint = home.resolve("state/hooks/endpoint");
                Await.until("the relay's endpoint", Duration.ofSeconds(60), () -> Files.exists(endpoint));
                long[] fast = gaps(project, user, model);
                // the same relay, its endpoint hidden from the script: the hook starts a JVM for each stop, as before
                Path hidden = endpoint.resolveSibling("endpoint.hidden");
                Files.move(endpoint, hidden);
                long[] jvm = gaps(project, user, model);
                Files.move(hidden, endpoint);

                report("Claude Code " + ClaudeCli.VERSION + ", stop to next request, " + CONTINUATIONS + " continuations x " + RUNS + " runs:");
                report("  trivial continuing hook (sh + printf):      " + summary(baseline));
                report("  relay hook, relay running (loopback, curl):  " + summary(fast));
                report("  relay hook starting Relay (JVM) each stop:   " + summary(jvm));
                report(String.format("  relay hook over the trivial one at p50: +%.0f ms; JVM path / loopback path at p50: %.1fx",
                        pct(fast, 0.5) - pct(baseline, 0.5), pct(jvm, 0.5) / pct(fast, 0.5)));
            } finally {
                relay.destroy();
                relay.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }
}
