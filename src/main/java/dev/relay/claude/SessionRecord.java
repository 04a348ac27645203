package dev.relay.claude;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * state/claude/SESSION.json: what the hooks of one relay session remember between their runs. The Claude Code
 * session and prompt the continuations were counted in, the reports filed lately (so that a late answer can be
 * named by the report it answers), and the failure the session last ended on, if no turn has ended well since.
 * Only hooks write it (one at a time: Claude Code runs a session's hooks in turn); the relay reads it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionRecord(
        @JsonProperty("claude_session") String claudeSession,
        @JsonProperty("prompt_id") String promptId,
        @JsonProperty("continuations") int continuations,
        @JsonProperty("reports") List<Report> reports,
        @JsonProperty("failure") Failure failure,
        @JsonProperty("last_stop_at") String lastStopAt) {
    static final int KEPT_REPORTS = 50;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public SessionRecord {
        reports = reports == null ? List.of() : List.copyOf(reports);
    }

    public static final SessionRecord EMPTY = new SessionRecord(null, null, 0, List.of(), null, null);

    /** A report a Stop hook filed: its envelope id, when, its first words, and the digest its answer is queued under. */
    public record Report(@JsonProperty("id") String id, @JsonProperty("at") String at, @JsonProperty("head") String head,
            @JsonProperty("answer_key") String answerKey) {}

    /**
     * The API error a turn of this session last ended on (StopFailure): the error type Claude Code names, its
     * message, when the failures began ({@code since}: one notification per run of failures) and how many there were.
     */
    public record Failure(@JsonProperty("error") String error, @JsonProperty("message") String message,
            @JsonProperty("since") String since, @JsonProperty("at") String at, @JsonProperty("count") int count) {
        public String describe() {
            return error + (message == null || message.isBlank() ? "" : ": " + message);
        }
    }

    SessionRecord withContinuations(String claudeSession, String promptId, int continuations) {
        return new SessionRecord(claudeSession, promptId, continuations, reports, failure, lastStopAt);
    }

    SessionRecord withReport(Report report, String at) {
        List<Report> kept = new ArrayList<>(reports);
        kept.add(report);
        if (kept.size() > KEPT_REPORTS) {
            kept = kept.subList(kept.size() - KEPT_REPORTS, kept.size());
        }
        return new SessionRecord(claudeSession, promptId, continuations, kept, null, at);
    }

    SessionRecord withFailure(Failure f) {
        return new SessionRecord(claudeSession, promptId, continuations, reports, f, lastStopAt);
    }

    public static SessionRecord read(Path file) {
        try {
            return JSON.readValue(Files.readAllBytes(file), SessionRecord.class);
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            // unreadable (half a disk, an edit by hand): start afresh rather than fail the hook; the file is replaced
            return EMPTY;
        }
    }

    void write(Path file) {
        try {
            AtomicFiles.ensurePrivateDirectory(file.getParent());
            // advisory (a lost update only resets the count or a label), so not synced: a stop costs less
            AtomicFiles.writeUnsynced(file, JSON.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
