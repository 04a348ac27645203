package dev.relay.agents;

import java.util.Optional;

/**
 * One result an agent printed between the output markers; {@code code} names a failure the relay acts on
 * ({@link AgentSupervisor#SESSION_NOT_FOUND}).
 */
public record AgentOutput(boolean success, Optional<String> result, Optional<String> newSessionId, Optional<String> error,
                          Optional<String> code) {
    public AgentOutput {
        result = result == null ? Optional.empty() : result;
        newSessionId = newSessionId == null ? Optional.empty() : newSessionId;
        error = error == null ? Optional.empty() : error;
        code = code == null ? Optional.empty() : code;
    }

    public static AgentOutput failure(String error) {
        return new AgentOutput(false, Optional.empty(), Optional.empty(), Optional.of(error), Optional.empty());
    }
}
