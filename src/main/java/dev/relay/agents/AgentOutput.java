package dev.relay.agents;

import java.util.Optional;

/** One result an agent printed between the output markers. */
public record AgentOutput(boolean success, Optional<String> result, Optional<String> newSessionId, Optional<String> error) {
    public AgentOutput {
        result = result == null ? Optional.empty() : result;
        newSessionId = newSessionId == null ? Optional.empty() : newSessionId;
        error = error == null ? Optional.empty() : error;
    }

    public static AgentOutput failure(String error) {
        return new AgentOutput(false, Optional.empty(), Optional.empty(), Optional.of(error));
    }
}
