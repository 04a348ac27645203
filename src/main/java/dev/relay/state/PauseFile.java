package dev.relay.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Reads and writes state/pause.json: whether the relay is paused (by the operator, or waiting for JC), kept over a restart. */
public final class PauseFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The pause state: {@code state} is RUNNING, PAUSED or NEEDS_JC, never ERROR (an error is not persisted).
     *
     * @param lastNeedsJcAt    when the coordinator last asked for JC, as written; null before it ever did
     */
    public record Pause(RelayState state, Instant since, String lastNeedsJcAt, String lastNeedsJcText) {
        public static final Pause RUNNING = new Pause(RelayState.RUNNING, Instant.EPOCH, null, null);

        public Pause {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(since, "since");
            if (state == RelayState.ERROR) {
                throw new IllegalArgumentException("an error is not a pause state");
            }
        }

        public Pause to(RelayState next, Instant at) {
            return new Pause(next, at, lastNeedsJcAt, lastNeedsJcText);
        }

        public Pause askedForJc(Instant at, String text) {
            return new Pause(state, since, at.toString(), text);
        }
    }

    private final Path file;

    public PauseFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    /** The state the relay was in when it stopped; empty when there is no file. Its time is not kept. */
    public Optional<Pause> load() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonNode n = JSON.readTree(file.toFile());
        RelayState state = RelayState.ofWire(n.path("state").asText(RelayState.RUNNING.wire()))
                .filter(s -> s != RelayState.ERROR).orElse(RelayState.RUNNING);
        return Optional.of(new Pause(state, Instant.EPOCH,
                n.hasNonNull("last_needs_jc_at") ? n.get("last_needs_jc_at").asText() : null,
                n.hasNonNull("last_needs_jc_text") ? n.get("last_needs_jc_text").asText() : null));
    }

    public void write(Pause pause) {
        ObjectNode n = JSON.createObjectNode().put("state", pause.state().wire()).put("since", pause.since().toString());
        if (pause.lastNeedsJcAt() != null) {
            n.put("last_needs_jc_at", pause.lastNeedsJcAt()).put("last_needs_jc_text", pause.lastNeedsJcText());
        }
        AtomicFiles.write(file, n.toString());
    }
}
