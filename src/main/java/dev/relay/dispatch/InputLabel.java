package dev.relay.dispatch;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.Keys;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What dispatch/SESSION/input.txt holds, written to .input.json just before input.txt appears: the outbox entry it
 * was (whose name says whom it answers and whether the operator wrote it) and a digest of its text, so that a reader
 * can tell that the label belongs to the text it took.
 */
public record InputLabel(@JsonProperty("entry") String entry, @JsonProperty("sha") String sha) {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static InputLabel of(String entryName, String text) {
        return new InputLabel(entryName, Keys.digest(text));
    }

    public boolean describes(String text) {
        return sha != null && sha.equals(Keys.digest(text));
    }

    public boolean fromOperator() {
        return entry != null && Outbox.Entry.fromOperator(entry);
    }

    public String keyDigest() {
        return entry == null ? "" : Outbox.Entry.keyDigest(entry);
    }

    public long queuedAtMillis() {
        return entry == null ? 0 : Outbox.Entry.queuedAtMillis(entry);
    }

    void write(Path file) {
        try {
            // advisory: a label lost in a crash only makes the text unlabelled, and the digest guards a stale one
            AtomicFiles.writeUnsynced(file, JSON.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The label in {@code file}; empty when there is none (a relay older than labels) or it cannot be read. */
    public static Optional<InputLabel> read(Path file) {
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), InputLabel.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
