package dev.relay.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** state/status.json (CONTRACT section 5): what `relay status`, the console and scripts read of a running relay. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Status(
        @JsonProperty("pid") long pid,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("heartbeat_at") String heartbeatAt,
        @JsonProperty("state") RelayState state,
        @JsonProperty("state_detail") String stateDetail,
        @JsonProperty("model") String model,
        @JsonProperty("last_needs_jc_at") String lastNeedsJcAt,
        @JsonProperty("last_needs_jc_text") String lastNeedsJcText,
        @JsonProperty("last_dispatch_at") String lastDispatchAt,
        @JsonProperty("last_dispatch_session") String lastDispatchSession,
        @JsonProperty("queue_depth") int queueDepth,
        @JsonProperty("oldest_envelope_age_s") long oldestEnvelopeAgeS,
        @JsonProperty("replies_waiting") int repliesWaiting,
        @JsonProperty("rejected_count") int rejectedCount,
        @JsonProperty("history_chars") long historyChars,
        @JsonProperty("history_turns") int historyTurns,
        @JsonProperty("total_input_tokens") long totalInputTokens,
        @JsonProperty("total_output_tokens") long totalOutputTokens,
        @JsonProperty("total_cache_creation_tokens") long totalCacheCreationTokens,
        @JsonProperty("total_cache_read_tokens") long totalCacheReadTokens,
        @JsonProperty("total_cost_usd") double totalCostUsd,
        @JsonProperty("last_turn_cost_usd") double lastTurnCostUsd,
        @JsonProperty("cache_ttl") String cacheTtl,
        @JsonProperty("next_attempt_at") String nextAttemptAt,
        @JsonProperty("api_key_present") boolean apiKeyPresent,
        @JsonProperty("coordinator") String coordinator,
        @JsonProperty("ntfy_url") String ntfyUrl,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("sessions") List<SessionStatus> sessions,
        @JsonProperty("last_turn") LastTurn lastTurn,
        @JsonProperty("spend") Spend spend) {

    /** The state word shown: the file's, or "unknown" when it names a state this version does not know. */
    public String stateWord() {
        return state == null ? "unknown" : state.wire();
    }

    public Status {
        sessions = sessions == null ? List.of() : List.copyOf(sessions);
    }

    /** One session's line in the status. */
    public record SessionStatus(
            @JsonProperty("id") String id,
            @JsonProperty("kind") String kind,
            @JsonProperty("replies_waiting") int repliesWaiting,
            @JsonProperty("input_pending") boolean inputPending,
            @JsonProperty("last_report_at") String lastReportAt,
            @JsonProperty("last_dispatch_at") String lastDispatchAt,
            @JsonProperty("failure") String failure,
            @JsonProperty("failed_at") String failedAt,
            @JsonProperty("blocked") String blocked,
            @JsonProperty("blocked_since") String blockedSince,
            @JsonProperty("cost_usd") double costUsd) {}

    /**
     * The last turn the coordinator answered: when, and the reports it answered (several for a batched turn), each
     * with whether its session got a reply from it ({@code false}: left for a follow-up turn, or never sent).
     */
    public record LastTurn(
            @JsonProperty("answered_at") String answeredAt,
            @JsonProperty("reports") List<Report> reports) {
        public LastTurn {
            reports = reports == null ? List.of() : List.copyOf(reports);
        }
    }

    /**
     * What today (a local day, in {@code zone}) cost: the coordinator's turns and the container agents' runs, line by
     * line (each session, the operator, the summaries), the share of prompt tokens read from the cache, the turns
     * that could not be priced, why the cache missed (when the API said), the budgets as they stand, and the last days.
     */
    public record Spend(
            @JsonProperty("day") String day,
            @JsonProperty("zone") String zone,
            @JsonProperty("total_usd") double totalUsd,
            @JsonProperty("coordinator_usd") double coordinatorUsd,
            @JsonProperty("agents_usd") double agentsUsd,
            @JsonProperty("cache_hit_share") Double cacheHitShare,
            @JsonProperty("unpriced_turns") int unpricedTurns,
            @JsonProperty("cache_misses") java.util.Map<String, Integer> cacheMisses,
            @JsonProperty("lines") List<SpendLine> lines,
            @JsonProperty("budgets") List<Budget> budgets,
            @JsonProperty("days") List<DayTotal> days) {
        public Spend {
            cacheMisses = cacheMisses == null ? java.util.Map.of() : java.util.Map.copyOf(cacheMisses);
            lines = lines == null ? List.of() : List.copyOf(lines);
            budgets = budgets == null ? List.of() : List.copyOf(budgets);
            days = days == null ? List.of() : List.copyOf(days);
        }

        /** The budgets that stop work now. */
        public List<Budget> braked() {
            return budgets.stream().filter(Budget::stops).toList();
        }
    }

    /** One line of the day's spend: {@code kind} is file or container for a session, else operator or summaries. */
    public record SpendLine(
            @JsonProperty("who") String who,
            @JsonProperty("kind") String kind,
            @JsonProperty("coordinator_usd") double coordinatorUsd,
            @JsonProperty("agent_usd") double agentUsd,
            @JsonProperty("total_usd") double totalUsd,
            @JsonProperty("turns") int turns,
            @JsonProperty("agent_results") int agentResults) {}

    /** One budget today: {@code scope} is "total" or "session:ID"; {@code state} ok, warn or braked. */
    public record Budget(
            @JsonProperty("scope") String scope,
            @JsonProperty("session") String session,
            @JsonProperty("spent_usd") double spentUsd,
            @JsonProperty("limit_usd") double limitUsd,
            @JsonProperty("state") String state,
            @JsonProperty("stops") boolean stops,
            @JsonProperty("once_left") int onceLeft) {}

    /** One day's total. */
    public record DayTotal(
            @JsonProperty("day") String day,
            @JsonProperty("total_usd") double totalUsd,
            @JsonProperty("coordinator_usd") double coordinatorUsd,
            @JsonProperty("agents_usd") double agentsUsd,
            @JsonProperty("cache_hit_share") Double cacheHitShare) {}

    /** One report a turn answered. */
    public record Report(
            @JsonProperty("session") String session,
            @JsonProperty("key") String key,
            @JsonProperty("reported_at") String reportedAt,
            @JsonProperty("replied") boolean replied) {}
}
