package dev.relay.agents;

import dev.relay.config.SessionConfig;
import dev.relay.state.AgentState;
import java.nio.file.Path;
import java.time.Instant;

/** One container session's supervision state: mutable, and touched only on the supervisor's thread. */
final class Agent {
    final SessionConfig config;
    final String slug;
    final ContainerSpecs.Computed computed;
    final AgentWorkspace workspace;
    AgentState state = AgentState.IDLE;
    RunningAgent running;
    String containerId;
    Instant startedAt;
    Instant lastOutputAt;
    Instant closeAskedAt;
    Instant backoffUntil = Instant.MIN;
    int failures;
    int awaiting;             // prompts and follow-ups not yet answered by a result
    int resultsThisRun;
    String lastOutput = "";
    String lastError = "";
    String currentPrompt;     // kept until the first result, for a retry with a fresh session
    boolean staleRetry;
    boolean retriedStale;
    /** Its failure is an open inbox item (resolved when it works again). */
    boolean failureRaised;
    /** The claim being handed over right now, which recovery must leave alone. */
    Path claim;

    Agent(SessionConfig config, ContainerSpecs.Computed computed, AgentWorkspace workspace) {
        this.config = config;
        this.slug = config.id().value();
        this.computed = computed;
        this.workspace = workspace;
    }
}
