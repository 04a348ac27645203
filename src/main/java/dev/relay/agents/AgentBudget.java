package dev.relay.agents;

import dev.relay.core.SessionId;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The budgets as the agents see them (config.yaml {@code budgets:}): whether a container session's agent may start a
 * new run (not while its session's budget, or the day's, brakes), where its results' spend is counted, and the running
 * total its SDK session last reported. Called on the agents' thread.
 */
public interface AgentBudget {
    /** No budgets: every run may start, nothing is counted. */
    AgentBudget NONE = new AgentBudget() {
        @Override
        public boolean mayStart(SessionId session) {
            return true;
        }

        @Override
        public void spent(SessionId session, Optional<String> sdkSession, double costUsd, double totalUsd) {}

        @Override
        public OptionalDouble costSoFar(SessionId session, String sdkSession) {
            return OptionalDouble.empty();
        }
    };

    boolean mayStart(SessionId session);

    /** A result reported {@code costUsd} since the one before ({@code totalUsd} in all for its SDK session). */
    void spent(SessionId session, Optional<String> sdkSession, double costUsd, double totalUsd);

    /** The running total {@code sdkSession} last reported, so that a run resuming it counts only what it adds. */
    OptionalDouble costSoFar(SessionId session, String sdkSession);
}
