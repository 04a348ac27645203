package dev.relay.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * Reads an agent's stdout line by line and finds the results between {@code ---AGENT_OUTPUT_START---} and
 * {@code ---AGENT_OUTPUT_END---}; everything else is the agent's log. A block that is not a JSON object becomes an
 * error result (said, never dropped); a block that never ends is cut at {@link #MAX_BLOCK_CHARS}.
 */
public final class OutputParser {
    public static final String START = "---AGENT_OUTPUT_START---";
    public static final String END = "---AGENT_OUTPUT_END---";
    static final int MAX_BLOCK_CHARS = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StringBuilder block;

    /** Feeds one line (without its newline); returns a result when the line closes a block. */
    public Optional<AgentOutput> line(String line) {
        if (block == null) {
            if (line.strip().equals(START)) {
                block = new StringBuilder();
            }
            return Optional.empty();
        }
        if (line.strip().equals(END)) {
            String text = block.toString();
            block = null;
            return Optional.of(parse(text));
        }
        if (block.length() + line.length() > MAX_BLOCK_CHARS) {
            block = null;
            return Optional.of(AgentOutput.failure("the agent's output block exceeded " + MAX_BLOCK_CHARS + " characters"));
        }
        block.append(line).append('\n');
        return Optional.empty();
    }

    /** Whether a block is open (its lines are not log lines). */
    public boolean inBlock() {
        return block != null;
    }

    static AgentOutput parse(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (Exception e) {
            return AgentOutput.failure("the agent printed an output block that is not JSON");
        }
        if (n == null || !n.isObject()) {
            return AgentOutput.failure("the agent printed an output block that is not a JSON object");
        }
        boolean ok = "success".equals(n.path("status").asText());
        return new AgentOutput(ok, text(n, "result"), text(n, "newSessionId"),
                ok ? text(n, "error") : Optional.of(text(n, "error").orElse("the agent reported an error without a message")),
                text(n, "code"));
    }

    private static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() && !v.textValue().isEmpty() ? Optional.of(v.textValue()) : Optional.empty();
    }
}
