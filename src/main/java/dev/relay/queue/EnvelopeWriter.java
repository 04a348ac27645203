package dev.relay.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Writes an envelope as CONTRACT section 2 asks: a hidden temp name, fsync, then rename to *.json. */
public final class EnvelopeWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnvelopeWriter() {}

    private static long lastMillis;
    private static int seq;

    /**
     * {@code MILLIS-SESSION-XXXXXX.json}, where the first two hex digits count the envelopes this process wrote in the
     * same millisecond and the rest are random: the queue's order is the files' times, then their names, and file
     * times are coarser than a millisecond, so two envelopes one process writes back to back keep their order.
     */
    static synchronized String name(SessionId session) {
        long now = Instant.now().toEpochMilli();
        if (now > lastMillis) {
            lastMillis = now;
            seq = 0;
        } else {
            seq = Math.min(seq + 1, 0xff);
        }
        return String.format("%d-%s-%02x%04x.json", lastMillis, session.value(), seq,
                ThreadLocalRandom.current().nextInt(1 << 16));
    }

    public static Path write(Path queueDir, SessionId session, String content, Optional<String> id) {
        if (content.isBlank()) {
            throw new IllegalArgumentException("the message is empty");
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("session_id", session.value());
        node.put("content", content);
        id.ifPresent(i -> node.put("id", i));
        String name = name(session);
        Path target = queueDir.resolve(name);
        AtomicFiles.ensurePrivateDirectory(queueDir);
        AtomicFiles.write(target, node.toString());
        return target;
    }
}
