package dev.relay.bench;

import dev.relay.anthropic.AnthropicCoordinator;
import dev.relay.testing.Await;
import dev.relay.testing.BenchHome;
import dev.relay.testing.BenchmarkReport;
import dev.relay.testing.FakeAnthropic;
import dev.relay.testing.LoopHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many agents, one slow coordinator: 12 sessions reporting one report a second in all to a coordinator that takes
 * 2 s a call, with 100k tokens of history, for 60 s; one report per turn (batch.max_envelopes: 1, as before
 * batching) against the defaults, in one run. Report to reply is from the envelope's rename into queue/ to the
 * session's taking its input.txt.
 */
@Tag("benchmark")
class BatchBenchmarkTest {
    @TempDir
    Path dir;

    /**
     * @param inputPerReport       the coordinator's input cost (uncached, written, read; no output) per report
     * @param steadyInputPerReport the same for the turns answered after the first 20 s (the cold cache written)
     */
    record Run(int reports, int calls, long[] latencies, double costPerReport, long input, long written, long read,
               double inputPerReport, double steadyInputPerReport) {}

    @Test
    void reports_from_many_sessions_to_a_slow_coordinator() throws Exception {
        Run single = run(dir.resolve("one-per-turn"), "batch:\n  max_envelopes: 1\n");
        Run batched = run(dir.resolve("batched"), "");
        for (var r : List.of(List.of("one report per turn", single), List.of("batched (defaults)", batched))) {
            Run run = (Run) r.get(1);
            long[] l = run.latencies();
            BenchmarkReport.line(String.format("12 sessions, 1 report/s, coordinator 2 s a call, 60 s, 100k tokens of history, %s: "
                    + "%d reports, %d calls (%.2f a report); report to reply p50 %.1f s, max %.1f s; coordinator cost per report $%.4f "
                    + "(tokens: %,d uncached input, %,d written to the cache, %,d read from it); input cost per report $%.4f, "
                    + "after the first 20 s $%.4f",
                    r.get(0), run.reports(), run.calls(), run.calls() / (double) run.reports(), l[l.length / 2] / 1e9,
                    l[l.length - 1] / 1e9, run.costPerReport(), run.input(), run.written(), run.read(), run.inputPerReport(),
                    run.steadyInputPerReport()));
        }
        BenchmarkReport.line(String.format("batched / one per turn: calls %.2f, cost per report %.2f, input cost per report "
                + "%.2f, after the first 20 s %.2f", batched.calls() / (double) single.calls(),
                batched.costPerReport() / single.costPerReport(), batched.inputPerReport() / single.inputPerReport(),
                batched.steadyInputPerReport() / single.steadyInputPerReport()));
    }

    /**
     * Saturated: 2,000 envelopes from 10 sessions already waiting when the relay starts, the API answering at once;
     * the time until every reply was taken by its session. One report per turn against the defaults, in one run.
     */
    @Test
    void saturated_throughput_at_zero_api_latency() throws Exception {
        for (String config : List.of("batch:\n  max_envelopes: 1\n", "")) {
            Path home = dir.resolve(config.isEmpty() ? "sat-batched" : "sat-single");
            int sessions = 10;
            int total = 2000;
            try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
                api.fast(true);
                LoopHarness relay = new LoopHarness(home, Clock.systemUTC()).config("history_char_cap: 100000000\n"
                        + "stuck_queue_threshold_s: 100000\n" + config);
                relay.withCoordinator(new AnthropicCoordinator(AnthropicCoordinator.defaultClient(), api.baseUrl(), "sk-ant-bench"));
                for (int i = 0; i < total; i++) {
                    relay.send("agent" + (i % sessions), "report " + i + ": " + "status text ".repeat(10));
                }
                java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
                List<String> names = new ArrayList<>();
                for (int s = 0; s < sessions; s++) {
                    names.add("agent" + s);
                }
                try (relay; BenchHome.Consumers consumers = new BenchHome.Consumers(relay, names, reply -> delivered.incrementAndGet())) {
                    long start = System.nanoTime();
                    relay.start();
                    Await.until("all delivered", Duration.ofMinutes(10), () -> delivered.get() == total);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    BenchmarkReport.line(String.format("saturated, zero API latency, %s: %d reports from %d sessions answered and "
                            + "taken in %.2f s: %.0f reports/s, %d API calls (%.0f turns/s)",
                            config.isEmpty() ? "batched (defaults)" : "one report per turn", total, sessions, seconds,
                            total / seconds, api.calls(), api.calls() / seconds));
                }
            }
        }
    }

    private Run run(Path home, String config) throws Exception {
        BenchHome.seedHistory(home, 400_000, "earlier report %d with details ", 50);
        int sessions = 12;
        int reports = 60;
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.latency(Duration.ofSeconds(2));
            api.replies(req -> "Next: " + "do the following step carefully. ".repeat(10));
            LoopHarness relay = new LoopHarness(home, Clock.systemUTC()).config("history_char_cap: 100000000\n"
                    + "stuck_queue_threshold_s: 100000\n" + config);
            relay.withCoordinator(new AnthropicCoordinator(AnthropicCoordinator.defaultClient(), api.baseUrl(), "sk-ant-bench"));
            try (relay) {
                relay.start();
                List<ArrayDeque<Long>> sent = new ArrayList<>();
                ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
                List<String> names = new ArrayList<>();
                for (int s = 0; s < sessions; s++) {
                    sent.add(new ArrayDeque<>());
                    names.add("agent" + s);
                }
                BenchHome.Consumers consumers = new BenchHome.Consumers(relay, names, (s, reply) -> {
                    long now = System.nanoTime();
                    synchronized (sent.get(s)) {
                        latencies.add(now - sent.get(s).removeFirst());
                    }
                });
                long start = System.nanoTime();
                java.time.Instant startedAt = java.time.Instant.now();
                for (int i = 0; i < reports; i++) {
                    long due = start + i * 1_000_000_000L;
                    while (System.nanoTime() < due) {
                        Thread.sleep(1);
                    }
                    int s = i % sessions;
                    synchronized (sent.get(s)) {
                        relay.send("agent" + s, "report " + i + ": " + "progress details and test output. ".repeat(20));
                        sent.get(s).addLast(System.nanoTime());
                    }
                }
                Await.until("all answered", Duration.ofMinutes(5), () -> latencies.size() == reports);
                consumers.close();
                Await.until("status caught up", () -> relay.status() != null && relay.status().queueDepth() == 0);
                Thread.sleep(1500);
                long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
                Arrays.sort(sorted);
                var st = relay.status();
                // input cost per answered report, from each turn's usage in the journal and the price table
                dev.relay.config.Price price = dev.relay.config.PriceTable.builtIn(java.util.Map.of())
                        .forModel(relay.settings().model()).orElseThrow();
                java.time.Instant steadyFrom = startedAt.plusSeconds(20);
                double input = 0;
                double steadyInput = 0;
                int steadyReports = 0;
                var json = new com.fasterxml.jackson.databind.ObjectMapper();
                for (String line : Files.readAllLines(home.resolve("state/conversation.jsonl"))) {
                    var n = json.readTree(line);
                    if (!n.path("type").asText().equals("assistant") || n.path("key").asText().startsWith("seed-")) {
                        continue;
                    }
                    var u = n.path("usage");
                    double in = u.path("cost_usd").asDouble() - u.path("output_tokens").asLong() * price.output() / 1e6;
                    input += in;
                    if (java.time.Instant.parse(n.path("at").asText()).isAfter(steadyFrom)) {
                        steadyInput += in;
                        steadyReports += n.has("answers") ? n.path("answers").size() : 1;
                    }
                }
                return new Run(reports, api.calls(), sorted, st.totalCostUsd() / reports, st.totalInputTokens(),
                        st.totalCacheCreationTokens(), st.totalCacheReadTokens(), input / reports, steadyInput / steadyReports);
            }
        }
    }
}
