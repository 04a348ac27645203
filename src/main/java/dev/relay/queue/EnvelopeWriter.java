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

    public static Path write(Path queueDir, SessionId session, String content, Optional<String> id) {
        if (content.isBlank()) {
            throw new IllegalArgumentException("the message is empty");
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("session_id", session.value());
        node.put("content", content);
        id.ifPresent(i -> node.put("id", i));
        String name = String.format("%d-%s-%06x.json", Instant.now().toEpochMilli(), session.value(),
                ThreadLocalRandom.current().nextInt(1 << 24));
        Path target = queueDir.resolve(name);
        AtomicFiles.ensurePrivateDirectory(queueDir);
        AtomicFiles.write(target, node.toString());
        return target;
    }
}
