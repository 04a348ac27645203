package dev.relay.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The one credential a container agent gets on its start line: {@code source} is the relay's variable it comes
 * from, {@code name} the one the agent's Claude Code reads. The coordinator's key goes to agents only when shared.
 */
public record AgentCredential(String source, String name, String value) {
    public static final String OAUTH_TOKEN = "CLAUDE_CODE_OAUTH_TOKEN";
    public static final String AGENT_KEY = "AGENT_ANTHROPIC_API_KEY";
    public static final String COORDINATOR_KEY = "ANTHROPIC_API_KEY";

    /** CLAUDE_CODE_OAUTH_TOKEN, else AGENT_ANTHROPIC_API_KEY, else ANTHROPIC_API_KEY if {@code shareCoordinatorKey}. */
    public static Optional<AgentCredential> choose(Secrets secrets, boolean shareCoordinatorKey) {
        if (secrets.claudeCodeOauthToken().isPresent()) {
            return Optional.of(new AgentCredential(OAUTH_TOKEN, OAUTH_TOKEN, secrets.claudeCodeOauthToken().get()));
        }
        if (secrets.agentAnthropicApiKey().isPresent()) {
            return Optional.of(new AgentCredential(AGENT_KEY, COORDINATOR_KEY, secrets.agentAnthropicApiKey().get()));
        }
        if (shareCoordinatorKey && secrets.anthropicApiKey().isPresent()) {
            return Optional.of(new AgentCredential(COORDINATOR_KEY, COORDINATOR_KEY, secrets.anthropicApiKey().get()));
        }
        return Optional.empty();
    }

    /** Why there is none and how to give one, for the agent's error and `relay agents`. */
    public static String missing(Secrets secrets, boolean shareCoordinatorKey, Path envFile) {
        String fix = "no credential for container agents: put " + OAUTH_TOKEN + " (from `claude setup-token`) or "
                + AGENT_KEY + " (the agents' own API key) in " + envFile + " or the environment";
        if (shareCoordinatorKey) {
            return fix + " (agents.share_coordinator_key is true, but " + COORDINATOR_KEY + " is not set either)";
        }
        if (secrets.anthropicApiKey().isPresent()) {
            return fix + "; " + COORDINATOR_KEY + " is the coordinator's and reaches agents only with"
                    + " agents.share_coordinator_key: true in config.yaml";
        }
        return fix + ", or share the coordinator's " + COORDINATOR_KEY + " with agents.share_coordinator_key: true in config.yaml";
    }

    /** The start line's {@code secrets}: this credential alone. */
    public Map<String, String> secrets() {
        return Map.of(name, value);
    }

    /** Its names, never its value: "AGENT_ANTHROPIC_API_KEY (as ANTHROPIC_API_KEY in the container)". */
    public String describe() {
        if (source.equals(AGENT_KEY)) {
            return source + " (as " + name + " in the container)";
        }
        if (source.equals(COORDINATOR_KEY)) {
            return source + ", the coordinator's (agents.share_coordinator_key: true)";
        }
        return source;
    }

    @Override
    public String toString() {
        return "AgentCredential[" + describe() + "]";
    }
}
