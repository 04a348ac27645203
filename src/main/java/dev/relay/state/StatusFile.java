package dev.relay.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Reads and writes state/status.json; tells a live relay from a stale file by pid and heartbeat. */
public final class StatusFile {
    public static final Duration STALE_AFTER = Duration.ofSeconds(5);
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;

    public StatusFile(Path file) {
        this.file = file;
    }

    public void write(Status status) {
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(status));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public Optional<Status> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), Status.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The status in a text read from status.json; empty when it is not one. */
    public static Optional<Status> parse(String json) {
        try {
            return Optional.of(JSON.readValue(json, Status.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static String toJson(Status status) {
        try {
            return JSON.writeValueAsString(status);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the status was written by a process that is alive and beat recently. */
    public static boolean isLive(Status s, Instant now) {
        if (s.heartbeatAt() == null) {
            return false;
        }
        boolean alive = ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false);
        return alive && Duration.between(Instant.parse(s.heartbeatAt()), now).compareTo(STALE_AFTER) < 0;
    }
}
