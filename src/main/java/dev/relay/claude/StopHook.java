package dev.relay.claude;

import dev.relay.core.Home;
import dev.relay.core.Keys;
import dev.relay.core.SessionId;
import dev.relay.queue.EnvelopeWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The Stop hook's work: the session's last message becomes an envelope, then the hook waits (bounded) for the
 * relay's dispatch to the session and takes it, to hand it back to Claude Code as the next instruction.
 */
public final class StopHook {
    private StopHook() {}

    /** Writes the envelope (idempotent: the same message of the same Claude session is one envelope). */
    public static Optional<Path> report(Home home, SessionId session, StopInput input) {
        Optional<String> message = input.message();
        if (message.isEmpty() || message.get().isBlank()) {
            return Optional.empty();
        }
        String id = "claude-" + Keys.digest(input.claudeSession(), message.get());
        Optional<Path> queued = queuedWithId(home, id);
        if (queued.isPresent()) {
            return queued;   // the same stop reported again (a retried hook): still one envelope
        }
        return Optional.of(EnvelopeWriter.write(home.queueDir(), session, message.get(), Optional.of(id)));
    }

    private static Optional<Path> queuedWithId(Home home, String id) {
        if (!Files.isDirectory(home.queueDir())) {
            return Optional.empty();
        }
        String needle = "\"" + id + "\"";
        try (var files = Files.newDirectoryStream(home.queueDir(), "*.json")) {
            for (Path f : files) {
                try {
                    if (Files.size(f) < (2 << 20) && Files.readString(f, StandardCharsets.UTF_8).contains(needle)) {
                        return Optional.of(f);
                    }
                } catch (IOException e) {
                    // taken meanwhile
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Waits up to {@code wait} for dispatch/SESSION/input.txt, then reads and deletes it (as a file session does). */
    public static Optional<String> awaitDispatch(Home home, SessionId session, Duration wait) throws InterruptedException {
        Path input = home.inputFile(session);
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                String text = Files.readString(input, StandardCharsets.UTF_8);
                Files.delete(input);
                return Optional.of(text);
            } catch (NoSuchFileException e) {
                // not yet
            } catch (IOException e) {
                return Optional.empty();
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            Thread.sleep(100);
        }
    }
}
