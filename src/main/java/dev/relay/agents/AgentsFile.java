package dev.relay.agents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Home;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** state/agents.json: the supervisor's snapshot as `relay agents` and the console read it. */
final class AgentsFile {
    private static final Logger LOG = LoggerFactory.getLogger(AgentsFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private AgentsFile() {}

    static void write(Home home, AgentSupervisor.Snapshot s, Instant now) {
        ArrayNode arr = JSON.createArrayNode();
        for (AgentSupervisor.View v : s.agents()) {
            ObjectNode n = arr.addObject();
            n.put("slug", v.slug());
            n.put("state", v.state().words);
            n.put("container_id", v.containerId() == null ? null : AgentRuntime.shortId(v.containerId()));
            n.put("session_id", v.sessionId());
            n.put("started_at", v.startedAt() == null ? null : v.startedAt().toString());
            n.put("last_output", v.lastOutput());
            n.put("last_error", v.lastError());
            n.put("failures", v.failures());
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("updated_at", now.toString());
        root.put("runtime_problem", s.runtimeProblem().orElse(null));
        root.set("agents", arr);
        ArrayNode rec = root.putArray("recovery");
        s.recovery().forEach(rec::add);
        try {
            AtomicFiles.ensurePrivateDirectory(home.stateDir());
            AtomicFiles.write(home.stateDir().resolve("agents.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot write agents.json: {}", e.getMessage());
        }
    }
}
