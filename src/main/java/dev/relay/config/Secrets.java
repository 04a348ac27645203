package dev.relay.config;

import java.util.Optional;

/** Credentials from the environment or .env; never printed (toString masks them). */
public record Secrets(Optional<String> anthropicApiKey, Optional<String> ntfyToken, Optional<String> trackerToken,
                      Optional<String> claudeCodeOauthToken) {

    public static final Secrets NONE = new Secrets(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    @Override
    public String toString() {
        return "Secrets[anthropicApiKey=" + mask(anthropicApiKey) + ", ntfyToken=" + mask(ntfyToken)
                + ", trackerToken=" + mask(trackerToken) + ", claudeCodeOauthToken=" + mask(claudeCodeOauthToken) + "]";
    }

    private static String mask(Optional<String> s) {
        return s.isPresent() ? "(set)" : "(unset)";
    }
}
