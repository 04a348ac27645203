package dev.relay.claude;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What Claude Code sends a hook on stdin (Stop, SessionStart, StopFailure): its session and prompt, whether a Stop
 * hook already made it go on, its last message (the {@code last_assistant_message} field when present, else the last
 * assistant entry of the transcript), how a session started, and why a turn failed.
 */
public record HookInput(String event, String claudeSession, Optional<String> promptId, boolean stopHookActive,
        Optional<String> lastMessage, Optional<Path> transcript, Optional<String> source, Optional<String> error,
        Optional<String> errorDetails) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static HookInput parse(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the hook input is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("the hook input is not a JSON object");
        }
        String transcript = n.path("transcript_path").asText("");
        return new HookInput(n.path("hook_event_name").asText(""), n.path("session_id").asText(""), text(n, "prompt_id"),
                n.path("stop_hook_active").asBoolean(false), text(n, "last_assistant_message"),
                transcript.isBlank() ? Optional.empty() : Optional.of(Path.of(transcript)), text(n, "source"),
                text(n, "error"), n.has("error_details") && !n.get("error_details").isNull()
                        ? Optional.of(n.get("error_details").isTextual() ? n.get("error_details").asText() : n.get("error_details").toString())
                        : Optional.empty());
    }

    private static Optional<String> text(JsonNode n, String field) {
        String v = n.path(field).asText("");
        return v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** The message to report: the input's own, else the transcript's last assistant text (empty if there is none). */
    public Optional<String> message() {
        if (lastMessage.isPresent()) {
            return lastMessage;
        }
        return transcript.flatMap(HookInput::lastAssistantText);
    }

    /** The text of the last assistant entry of a Claude Code transcript (JSON lines), if any. */
    static Optional<String> lastAssistantText(Path transcript) {
        List<String> lines;
        try {
            lines = Files.readAllLines(transcript, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonNode n;
            try {
                n = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                continue;   // a line being written
            }
            if (n == null || !"assistant".equals(n.path("type").asText())) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            JsonNode content = n.path("message").path("content");
            if (content.isTextual()) {
                text.append(content.asText());
            }
            for (JsonNode block : content) {
                if ("text".equals(block.path("type").asText())) {
                    if (text.length() > 0) {
                        text.append('\n');
                    }
                    text.append(block.path("text").asText());
                }
            }
            if (text.length() > 0) {
                return Optional.of(text.toString());
            }
        }
        return Optional.empty();
    }
}
