package dev.relay.agents;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What to run for one agent: its image, its workspace (mounted at /workspace), how it is confined, the labels by
 * which the relay finds its own containers again, and plain (never secret) environment variables.
 */
public record AgentSpec(String slug, String name, String image, Path workspace, Hardening hardening,
                        Map<String, String> labels, Map<String, String> env) {
    public AgentSpec {
        Objects.requireNonNull(slug, "slug");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(workspace, "workspace");
        hardening = hardening == null ? Hardening.DEFAULT : hardening;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        env = env == null ? Map.of() : Map.copyOf(env);
        name = name == null || name.isBlank() ? slug : name;
    }
}
