package dev.relay.bench;

import dev.relay.anthropic.AnthropicCoordinator;
import dev.relay.config.Price;
import dev.relay.config.PriceTable;
import dev.relay.config.Settings;
import dev.relay.state.ControlFiles;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures of docs/BENCHMARKS.md: `mvn -B -Pbenchmark test`. Each prints its numbers and appends them to
 * target/benchmarks.md. They measure; they assert only that the run itself completed.
 */
@Tag("benchmark")
class RelayBenchmarkTest {

    @TempDir
    Path dir;

    static void report(String line) {
        dev.relay.testing.BenchmarkReport.line(line);
    }

    static LoopHarness relayOn(Path home, FakeAnthropic api, Clock clock, String config) {
        LoopHarness h = new LoopHarness(home, clock).config(config);
        h.withCoordinator(new AnthropicCoordinator(AnthropicCoordinator.defaultClient(), api.baseUrl(), "sk-ant-bench"));
        return h.start();
    }

    static double percentile(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] / 1e6;
    }

    /** Envelope visible in queue/ (renamed into place) to the API request arriving at the fake, one at a time. */
    @Test
    void intake_latency() throws Exception {
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.fast(true);
            try (LoopHarness relay = relayOn(dir, api, Clock.systemUTC(), "history_char_cap: 100000000\n")) {
                int warmup = 100;
                int n = 500;
                long[] latencies = new long[n];
                for (int i = 0; i < warmup + n; i++) {
                    int before = api.arrivals().size();
                    relay.send("s1", "report " + i);
                    long visible = System.nanoTime();
                    Await.untilPrecisely("request " + i, Duration.ofSeconds(10), () -> api.arrivals().size() > before);
                    if (i >= warmup) {
                        latencies[i - warmup] = api.arrivals().get(before) - visible;
                    }
                    relay.take("s1");
                }
                Arrays.sort(latencies);
                report(String.format("intake latency (envelope visible -> API request received), %d turns: p50 %.1f ms, "
                        + "p90 %.1f ms, p99 %.1f ms, max %.1f ms", n, percentile(latencies, 0.5), percentile(latencies, 0.9),
                        percentile(latencies, 0.99), percentile(latencies, 1.0)));
            }
        }
    }

    /** Envelopes dropped at 100 per second by 10 sessions whose agents take replies at once, for 20 seconds; the 100k-character cap makes the history be summarized several times on the way. */
    @Test
    void sustained_throughput() throws Exception {
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.fast(true);
            try (LoopHarness relay = relayOn(dir, api, Clock.systemUTC(), "history_char_cap: 100000\nkeep_recent_turns: 10\n")) {
                int sessions = 10;
                int rate = 100;
                int seconds = 20;
                int total = rate * seconds;
                AtomicInteger delivered = new AtomicInteger();
                List<String> names = new ArrayList<>();
                for (int s = 0; s < sessions; s++) {
                    names.add("agent" + s);
                }
                dev.relay.testing.BenchHome.Consumers consumers = new dev.relay.testing.BenchHome.Consumers(relay, names,
                        reply -> delivered.incrementAndGet());
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    long due = start + i * 1_000_000_000L / rate;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    relay.send("agent" + (i % sessions), "report " + i + ": " + "status text ".repeat(10));
                }
                long fed = System.nanoTime();
                Await.until("all delivered", Duration.ofMinutes(5), () -> delivered.get() == total);
                long end = System.nanoTime();
                consumers.close();
                double secondsTaken = (end - start) / 1e9;
                report(String.format("sustained throughput: %d envelopes offered at %d/s from %d sessions; all %d turns "
                        + "durable and their replies taken by the sessions after %.2f s (%.1f turns/s; backlog drained "
                        + "%.2f s after the last envelope); %d API calls incl. summaries", total, rate, sessions, total,
                        secondsTaken, total / secondsTaken, (end - fed) / 1e9, api.calls()));
            }
        }
    }

    /**
     * One turn's time (visible -> reply delivered) at 1k and at 400k characters of history. The two relays run side
     * by side and take turns, so that both see the same machine at the same moments.
     */
    @Test
    void turn_time_against_history_length() throws Exception {
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.fast(true);
            try (LoopHarness small = seeded(dir.resolve("small"), api, 1_000);
                 LoopHarness large = seeded(dir.resolve("large"), api, 400_000)) {
                int warmup = 100;
                int n = 400;
                long[] smallTimes = new long[n];
                long[] largeTimes = new long[n];
                long[] smallToRequest = new long[n];
                long[] largeToRequest = new long[n];
                long[] toRequest = new long[1];
                for (int i = 0; i < warmup + n; i++) {
                    long a = oneTurn(small, api, toRequest, i);
                    long aRequest = toRequest[0];
                    long b = oneTurn(large, api, toRequest, i);
                    if (i >= warmup) {
                        smallTimes[i - warmup] = a;
                        largeTimes[i - warmup] = b;
                        smallToRequest[i - warmup] = aRequest;
                        largeToRequest[i - warmup] = toRequest[0];
                    }
                }
                Arrays.sort(smallTimes);
                Arrays.sort(largeTimes);
                Arrays.sort(smallToRequest);
                Arrays.sort(largeToRequest);
                report(String.format("turn time, of which envelope visible -> request received by the API: median %.2f ms at the "
                        + "small history, %.2f ms at the large", percentile(smallToRequest, 0.5), percentile(largeToRequest, 0.5)));
                double smallMedian = percentile(smallTimes, 0.5);
                double largeMedian = percentile(largeTimes, 0.5);
                report(String.format("turn time (envelope visible -> reply in input.txt), %d alternating turns after %d warm-up: "
                        + "median %.2f ms (p90 %.2f) at %,d characters of history, median %.2f ms (p90 %.2f) at %,d: ratio %.2f",
                        n, warmup, smallMedian, percentile(smallTimes, 0.9), small.status().historyChars(),
                        largeMedian, percentile(largeTimes, 0.9), large.status().historyChars(), largeMedian / smallMedian));
            }
        }
    }

    private static long oneTurn(LoopHarness relay, FakeAnthropic api, long[] toRequest, int i) {
        int before = api.arrivals().size();
        relay.send("s1", "short report " + i);
        long visible = System.nanoTime();
        Await.untilPrecisely("reply " + i, Duration.ofSeconds(10), () -> relay.input("s1").isPresent());
        long done = System.nanoTime();
        relay.take("s1");
        toRequest[0] = api.arrivals().get(before) - visible;
        return done - visible;
    }

    private LoopHarness seeded(Path home, FakeAnthropic api, int historyChars) throws IOException {
        dev.relay.testing.BenchHome.seedHistory(home, historyChars, "earlier report %d ", 20);
        // keep the history near its size: the cap is above it, and the turns added here are short
        return relayOn(home, api, Clock.systemUTC(), "history_char_cap: 100000000\n");
    }

    /** Coordinator cost per turn at 100k tokens of history, against the cache-accounting fake and the price table. */
    @Test
    void cost_per_turn_with_prompt_caching() throws Exception {
        for (Duration gap : List.of(Duration.ofMinutes(2), Duration.ofMinutes(20))) {
            double cached = costPerTurn(dir.resolve("auto-" + gap.toMinutes()), gap, "auto");
            double baseline = costPerTurn(dir.resolve("off-" + gap.toMinutes()), gap, "off");
            report(String.format("cost per turn at 100k tokens of history, turns every %d min, 30 turns (first one cold): "
                    + "$%.4f with history caching, $%.4f with only the system prompt cached: ratio %.3f",
                    gap.toMinutes(), cached, baseline, cached / baseline));
        }
    }

    private double costPerTurn(Path home, Duration gap, String historyCache) throws Exception {
        dev.relay.testing.BenchHome.seedHistory(home, 400_000, "earlier report %d with details ", 50);
        ManualClock clock = new ManualClock(Instant.parse("2026-11-23T00:00:00Z"));
        try (FakeAnthropic api = new FakeAnthropic(clock)) {
            api.replies(req -> "Next: " + "do the following step carefully. ".repeat(25));
            try (LoopHarness relay = relayOn(home, api, clock, "history_char_cap: 100000000\nhistory_cache: " + historyCache
                    + "\nstuck_queue_threshold_s: 100000\n")) {
                int turns = 30;
                for (int i = 0; i < turns; i++) {
                    relay.send("s1", "agent report " + i + ": " + "progress details and test output. ".repeat(60));
                    relay.take("s1");
                    clock.advance(gap);
                }
                Await.until("status caught up", () -> relay.status() != null && relay.status().historyTurns() >= 2 * turns);
                Settings settings = relay.settings();
                Price price = PriceTable.builtIn(Map.of()).forModel(settings.model()).orElseThrow();
                if (price.input() <= 0) {
                    throw new IllegalStateException("no price for " + settings.model());
                }
                // the relay priced each call from the usage the fake reported; the seeded history carries no cost
                return relay.status().totalCostUsd() / turns;
            }
        }
    }

    /** `relay pause` (a control file) to the state change in the running loop. */
    @Test
    void pause_and_resume_take_effect() throws Exception {
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.fast(true);
            try (LoopHarness relay = relayOn(dir, api, Clock.systemUTC(), "")) {
                Await.until("first status", () -> relay.status() != null);
                long[] times = new long[20];
                for (int i = 0; i < times.length; i++) {
                    boolean pause = i % 2 == 0;
                    long start = System.nanoTime();
                    new ControlFiles(relay.home.controlDir()).submit(pause ? ControlFiles.Command.PAUSE : ControlFiles.Command.RESUME);
                    Await.untilPrecisely("state", Duration.ofSeconds(10), () -> relay.status().state().wire().equals(pause ? "paused" : "running"));
                    times[i] = System.nanoTime() - start;
                }
                Arrays.sort(times);
                report(String.format("pause/resume (command file written -> state shown in status), 20 commands: "
                        + "median %.0f ms, max %.0f ms", percentile(times, 0.5), percentile(times, 1.0)));
            }
        }
    }
}
