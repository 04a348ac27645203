package dev.relay.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and writes state/agents.json: the container agents as the supervisor last published them, for `relay agents`
 * and the console.
 */
public final class AgentsFile {
    private final Path file;

    public AgentsFile(Path file) {
        this.file = file;
    }

    /** The whole file: when it was written, why no agent can run (Docker unreachable), the agents, what recovery found. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Content(
            @JsonProperty("updated_at") String updatedAt,
            @JsonProperty("runtime_problem") String runtimeProblem,
            @JsonProperty("agents") List<Entry> agents,
            @JsonProperty("recovery") List<String> recovery) {
        public Content {
            agents = agents == null ? List.of() : List.copyOf(agents);
            recovery = recovery == null ? List.of() : List.copyOf(recovery);
        }

        public Optional<String> problem() {
            return Optional.ofNullable(runtimeProblem);
        }
    }

    /** One agent; {@code containerId} as Docker's CLI shows it. An entry without a state has not started. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Entry(
            @JsonProperty("slug") String slug,
            @JsonProperty("state") AgentState state,
            @JsonProperty("container_id") String containerId,
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("started_at") String startedAt,
            @JsonProperty("last_output") String lastOutput,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("failures") int failures) {
        public Entry {
            Objects.requireNonNull(slug, "an agent without a slug");
            state = state == null ? AgentState.IDLE : state;
        }
    }

    public void write(Content content) {
        try {
            AtomicFiles.ensurePrivateDirectory(file.getParent());
            AtomicFiles.write(file, StatusFile.JSON.writeValueAsBytes(content));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Empty when there is no file yet; throws when it cannot be read as one (being replaced, or damaged). */
    public Optional<Content> read() throws IOException {
        try {
            return Optional.of(StatusFile.JSON.readValue(Files.readAllBytes(file), Content.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The file as it is, for `relay agents --json`; empty when there is none. */
    public Optional<String> text() throws IOException {
        try {
            return Optional.of(Files.readString(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
