package dev.relay.config;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Credentials from the environment or .env; never printed (toString masks them). {@code agentAnthropicApiKey}
 * (AGENT_ANTHROPIC_API_KEY) is the container agents' own key, kept apart from the coordinator's.
 */
public record Secrets(Optional<String> anthropicApiKey, Optional<String> ntfyToken, Optional<String> trackerToken,
                      Optional<String> claudeCodeOauthToken, Optional<String> agentAnthropicApiKey) {

    public static final Secrets NONE = new Secrets(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    /** Every value that is set: what the log must never show. */
    public List<String> values() {
        return Stream.of(anthropicApiKey, ntfyToken, trackerToken, claudeCodeOauthToken, agentAnthropicApiKey)
                .flatMap(Optional::stream).toList();
    }

    @Override
    public String toString() {
        return "Secrets[anthropicApiKey=" + mask(anthropicApiKey) + ", ntfyToken=" + mask(ntfyToken)
                + ", trackerToken=" + mask(trackerToken) + ", claudeCodeOauthToken=" + mask(claudeCodeOauthToken)
                + ", agentAnthropicApiKey=" + mask(agentAnthropicApiKey) + "]";
    }

    private static String mask(Optional<String> s) {
        return s.isPresent() ? "(set)" : "(unset)";
    }
}
