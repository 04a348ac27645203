package dev.relay.config;

import dev.relay.core.SessionId;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code budgets:} block: what a local day may cost in all ({@code daily_usd}: the coordinator's turns and the
 * container agents' runs together), what each session may cost a day ({@code session_daily_usd}, or its own line
 * under {@code sessions:}), and what one container agent run may cost ({@code agent_run_usd}, handed to the Agent SDK
 * as its own budget, so that the agent stops itself). At {@code warn_percent} of a limit the operator is told; at
 * the limit the relay brakes. Days are counted in {@code zone} (the machine's own by default).
 */
public record Budgets(Optional<Double> dailyUsd, Optional<Double> sessionDailyUsd, Map<String, Double> sessions,
                      Optional<Double> agentRunUsd, int warnPercent, ZoneId zone) {
    public static final int DEFAULT_WARN_PERCENT = 80;
    public static final Budgets NONE = new Budgets(Optional.empty(), Optional.empty(), Map.of(), Optional.empty(),
            DEFAULT_WARN_PERCENT, ZoneId.systemDefault());

    public Budgets {
        sessions = Map.copyOf(new TreeMap<>(sessions));
        zone = zone == null ? ZoneId.systemDefault() : zone;
    }

    /** The daily limit of {@code session}: its own line, else the one every session has; empty when none. */
    public Optional<Double> limitFor(SessionId session) {
        Double own = sessions.get(session.value());
        return own != null ? Optional.of(own) : sessionDailyUsd;
    }

    /** Whether any limit is set (the status shows the budget section only then). */
    public boolean any() {
        return dailyUsd.isPresent() || sessionDailyUsd.isPresent() || !sessions.isEmpty() || agentRunUsd.isPresent();
    }

    public Budgets withZone(ZoneId z) {
        return new Budgets(dailyUsd, sessionDailyUsd, sessions, agentRunUsd, warnPercent, z);
    }
}
