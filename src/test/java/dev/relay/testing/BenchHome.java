package dev.relay.testing;

import dev.relay.core.SessionId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** What the benchmarks share: a home whose history is seeded to a size, and sessions that take their replies. */
public final class BenchHome {
    private BenchHome() {}

    /**
     * Writes a journal of alternating turns of session s1 until it holds {@code chars} characters; each turn's text
     * is {@code phrase} (with its number) repeated {@code repeat} times.
     */
    public static void seedHistory(Path home, int chars, String phrase, int repeat) throws IOException {
        Files.createDirectories(home.resolve("state"));
        StringBuilder journal = new StringBuilder();
        int written = 0;
        for (int i = 0; written < chars; i++) {
            String content = (phrase.formatted(i)).repeat(repeat);
            journal.append("{\"type\":\"").append(i % 2 == 0 ? "user" : "assistant").append("\",\"speaker\":\"s1\",\"key\":\"seed-")
                    .append(i).append("\",\"at\":\"2026-11-01T00:00:00Z\",\"content\":\"").append(content).append("\"}\n");
            written += content.length();
        }
        Files.writeString(home.resolve("state/conversation.jsonl"), journal);
    }

    /** Threads that take (read and delete) each session's input.txt as it comes, as file sessions do. */
    public static final class Consumers implements AutoCloseable {
        private final AtomicBoolean consuming = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        /** @param taken called with the session's index and the reply, on that session's thread */
        public Consumers(LoopHarness relay, List<String> sessions, java.util.function.BiConsumer<Integer, String> taken) {
            for (int s = 0; s < sessions.size(); s++) {
                int index = s;
                Path input = relay.home.inputFile(SessionId.of(sessions.get(s)));
                Thread t = new Thread(() -> {
                    while (consuming.get()) {
                        try {
                            if (Files.exists(input)) {
                                String reply = Files.readString(input);
                                Files.delete(input);
                                taken.accept(index, reply);
                            } else {
                                Thread.sleep(1);
                            }
                        } catch (IOException | InterruptedException e) {
                            // raced with the relay; retry
                        }
                    }
                }, "consumer-" + sessions.get(s));
                t.start();
                threads.add(t);
            }
        }

        public Consumers(LoopHarness relay, List<String> sessions, Consumer<String> taken) {
            this(relay, sessions, (i, reply) -> taken.accept(reply));
        }

        @Override
        public void close() throws InterruptedException {
            consuming.set(false);
            for (Thread t : threads) {
                t.join();
            }
        }
    }
}
