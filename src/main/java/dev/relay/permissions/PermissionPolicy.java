package dev.relay.permissions;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code permissions:} of config.yaml: the rules, checked in their order (the first that matches decides), then, if
 * none does, the triage ({@code operator}, or {@code coordinator} and then the operator if it says ask), with no
 * decision at all after {@code timeout} (Claude Code then does what it would have done without the hook).
 */
public record PermissionPolicy(List<PermissionRule> rules, Triage triage, Duration timeout) {
    public enum Triage { OPERATOR, COORDINATOR }

    public static final PermissionPolicy DEFAULT = new PermissionPolicy(List.of(), Triage.OPERATOR, Duration.ofSeconds(60));

    public PermissionPolicy {
        rules = List.copyOf(rules);
    }

    /** The first rule covering this use of a tool, if one does. */
    public Optional<PermissionRule> decide(String session, String toolName, JsonNode input, Path cwd) {
        return rules.stream().filter(r -> r.matches(session, toolName, input, cwd)).findFirst();
    }
}
