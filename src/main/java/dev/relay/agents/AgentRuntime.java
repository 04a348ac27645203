package dev.relay.agents;

import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/** Runs agent containers. The only implementation talks to Docker; tests of the supervision use a fake. */
public interface AgentRuntime extends AutoCloseable {
    /** Whether the runtime answers; throws {@link AgentRuntimeException} (unreachable) when it does not. */
    void ping();

    /**
     * Creates and starts a container for {@code spec} and writes {@code startLine} (one JSON line with the secrets)
     * on its stdin, then zeroes that array: nothing here keeps the secrets once they are written.
     */
    RunningAgent start(AgentSpec spec, byte[] startLine, AgentListener listener);

    /** Containers carrying all of {@code labels}, running or not. */
    List<Container> list(Map<String, String> labels);

    /** Follows a container found by {@link #list} (after a restart of the relay): its output from now on, its exit. */
    RunningAgent reattach(String containerId, AgentListener listener);

    /** Removes a container, stopping it first if it runs. */
    void remove(String containerId);

    /** Removes a container if it can: one left over is found again, and removed, at the next start. */
    default void removeQuietly(String containerId) {
        if (containerId == null) {
            return;
        }
        try {
            remove(containerId);
        } catch (AgentRuntimeException e) {
            LoggerFactory.getLogger(AgentRuntime.class).debug("cannot remove container {}: {}", shortId(containerId), e.getMessage());
        }
    }

    @Override
    void close();

    /** A container id as Docker's CLI shows it. */
    static String shortId(String id) {
        return id == null ? "?" : id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** A container as listed: its id, labels, and whether it runs. */
    record Container(String id, Map<String, String> labels, boolean running, String status) {}
}
