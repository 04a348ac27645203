package dev.relay.queue;

import java.nio.file.Path;
import java.time.Instant;

/**
 * An envelope file found in queue/, with the key that identifies its turn across crashes:
 * its {@code id} when it has one, else a digest of its name, modification time and content.
 */
public record QueuedEnvelope(Path file, Instant modifiedAt, long size, Envelope envelope, String key) {
    public String name() {
        return file.getFileName().toString();
    }
}
