package dev.relay.agents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** The first line on an agent's stdin (CONTRACT section 6): the only way secrets reach a container. */
public final class StartLine {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StartLine() {}

    /** One JSON object and a newline, as bytes the caller zeroes once they are written. */
    public static byte[] encode(String prompt, Optional<String> sessionId, String slug, String name, Map<String, String> secrets) {
        ObjectNode n = JSON.createObjectNode();
        n.put("prompt", prompt);
        if (sessionId.isPresent()) {
            n.put("sessionId", sessionId.get());
        } else {
            n.putNull("sessionId");
        }
        n.put("agentSlug", slug);
        n.put("agentName", name);
        ObjectNode s = n.putObject("secrets");
        secrets.forEach(s::put);
        try {
            // one line: Jackson escapes newlines inside strings
            return (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode the start line", e);
        }
    }
}
