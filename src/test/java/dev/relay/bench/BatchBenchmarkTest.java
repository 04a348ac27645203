package dev.relay.bench;

import dev.relay.anthropic.AnthropicCoordinator;
import dev.relay.core.SessionId;
import dev.relay.testing.Await;
import dev.relay.testing.BenchmarkReport;
import dev.relay.testing.FakeAnthropic;
import dev.relay.testing.LoopHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
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

    record Run(int reports, int calls, long[] latencies, double costPerReport) {}

    @Test
    void reports_from_many_sessions_to_a_slow_coordinator() throws Exception {
        Run single = run(dir.resolve("one-per-turn"), "batch:\n  max_envelopes: 1\n");
        Run batched = run(dir.resolve("batched"), "");
        for (var r : List.of(List.of("one report per turn", single), List.of("batched (defaults)", batched))) {
            Run run = (Run) r.get(1);
            long[] l = run.latencies();
            BenchmarkReport.line(String.format("12 sessions, 1 report/s, coordinator 2 s a call, 60 s, 100k tokens of history, %s: "
                    + "%d reports, %d calls (%.2f a report); report to reply p50 %.1f s, max %.1f s; coordinator cost per report $%.4f",
                    r.get(0), run.reports(), run.calls(), run.calls() / (double) run.reports(), l[l.length / 2] / 1e9,
                    l[l.length - 1] / 1e9, run.costPerReport()));
        }
        BenchmarkReport.line(String.format("batched / one per turn: calls %.2f, cost per report %.2f",
                batched.calls() / (double) single.calls(), batched.costPerReport() / single.costPerReport()));
    }

    private Run run(Path home, String config) throws Exception {
        Files.createDirectories(home.resolve("state"));
        StringBuilder journal = new StringBuilder();
        int chars = 0;
        for (int i = 0; chars < 400_000; i++) {
            String content = ("earlier report " + i + " with details ").repeat(50);
            journal.append("{\"type\":\"").append(i % 2 == 0 ? "user" : "assistant").append("\",\"speaker\":\"s1\",\"key\":\"seed-")
                    .append(i).append("\",\"at\":\"2026-11-01T00:00:00Z\",\"content\":\"").append(content).append("\"}\n");
            chars += content.length();
        }
        Files.writeString(home.resolve("state/conversation.jsonl"), journal);
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
                AtomicBoolean consuming = new AtomicBoolean(true);
                List<Thread> consumers = new ArrayList<>();
                for (int s = 0; s < sessions; s++) {
                    ArrayDeque<Long> mine = new ArrayDeque<>();
                    sent.add(mine);
                    Path input = relay.home.inputFile(SessionId.of("agent" + s));
                    Thread t = new Thread(() -> {
                        while (consuming.get()) {
                            try {
                                if (Files.exists(input)) {
                                    Files.readString(input);
                                    Files.delete(input);
                                    long now = System.nanoTime();
                                    synchronized (mine) {
                                        latencies.add(now - mine.removeFirst());
                                    }
                                } else {
                                    Thread.sleep(5);
                                }
                            } catch (IOException | InterruptedException e) {
                                // raced with the relay; retry
                            }
                        }
                    });
                    t.start();
                    consumers.add(t);
                }
                long start = System.nanoTime();
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
                consuming.set(false);
                for (Thread t : consumers) {
                    t.join();
                }
                Await.until("status caught up", () -> relay.status() != null && relay.status().queueDepth() == 0);
                Thread.sleep(1500);
                long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
                Arrays.sort(sorted);
                return new Run(reports, api.calls(), sorted, relay.status().totalCostUsd() / reports);
            }
        }
    }
}
