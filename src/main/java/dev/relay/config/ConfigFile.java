package dev.relay.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** config.yaml as written: every field optional; checks that need no other source run here, so errors carry a line. */
record ConfigFile(
        @JsonProperty("model") String model,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("system_prompt") String systemPrompt,
        @JsonProperty("system_prompt_file") String systemPromptFile,
        @JsonProperty("summarization_prompt") String summarizationPrompt,
        @JsonProperty("history_char_cap") Integer historyCharCap,
        @JsonProperty("keep_recent_turns") Integer keepRecentTurns,
        @JsonProperty("needs_jc_token") String needsJcToken,
        @JsonProperty("needs_jc_scan_chars") Integer needsJcScanChars,
        @JsonProperty("stuck_queue_threshold_s") Integer stuckQueueThresholdS,
        @JsonProperty("max_envelope_bytes") Long maxEnvelopeBytes,
        @JsonProperty("history_cache") String historyCache,
        @JsonProperty("sessions") List<SessionConfig> sessions,
        @JsonProperty("anthropic") Anthropic anthropic,
        @JsonProperty("ntfy") Ntfy ntfy,
        @JsonProperty("tracker") Tracker tracker,
        @JsonProperty("agents") Agents agents,
        @JsonProperty("container") ContainerDefaults container,
        @JsonProperty("batch") Batch batch,
        @JsonProperty("escalation") Escalation escalation,
        @JsonProperty("coordinator") String coordinator,
        @JsonProperty("review") Review review,
        @JsonProperty("permissions") Permissions permissions,
        @JsonProperty("budgets") BudgetsBlock budgets,
        @JsonProperty("prices") Map<String, Price> prices) {

    static final ConfigFile EMPTY = new ConfigFile(null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    ConfigFile {
        positive("max_tokens", maxTokens);
        positive("history_char_cap", historyCharCap);
        positive("needs_jc_scan_chars", needsJcScanChars);
        positive("stuck_queue_threshold_s", stuckQueueThresholdS);
        if (keepRecentTurns != null && keepRecentTurns < 0) {
            throw new IllegalArgumentException("keep_recent_turns must be 0 or more");
        }
        if (maxEnvelopeBytes != null && maxEnvelopeBytes < 16) {
            throw new IllegalArgumentException("max_envelope_bytes must be at least 16");
        }
        if (historyCache != null && !historyCache.equals("auto") && !historyCache.equals("off")) {
            throw new IllegalArgumentException("history_cache must be auto or off, not \"" + historyCache + "\"");
        }
        if (coordinator != null && !List.of("auto", "anthropic", "operator").contains(coordinator)) {
            throw new IllegalArgumentException("coordinator must be auto, anthropic or operator, not \"" + coordinator + "\"");
        }
        if (needsJcToken != null && needsJcToken.isBlank()) {
            throw new IllegalArgumentException("needs_jc_token must not be empty");
        }
        if (systemPrompt != null && systemPromptFile != null) {
            throw new IllegalArgumentException("set system_prompt or system_prompt_file, not both");
        }
        if (sessions != null) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (SessionConfig s : sessions) {
                if (s == null) {
                    throw new IllegalArgumentException("sessions: an entry is empty");
                }
                if (!seen.add(s.id().value())) {
                    throw new IllegalArgumentException("sessions: id " + s.id() + " is listed twice");
                }
            }
            sessions = List.copyOf(sessions);
        }
        prices = prices == null ? null : Map.copyOf(prices);
    }

    private static void positive(String key, Number value) {
        if (value != null && value.longValue() <= 0) {
            throw new IllegalArgumentException(key + " must be greater than 0, not " + value);
        }
    }

    record Batch(@JsonProperty("max_envelopes") Integer maxEnvelopes, @JsonProperty("max_chars") Integer maxChars,
                 @JsonProperty("linger_ms") Integer lingerMs) {
        Batch {
            positive("batch.max_envelopes", maxEnvelopes);
            positive("batch.max_chars", maxChars);
            if (lingerMs != null && lingerMs < 0) {
                throw new IllegalArgumentException("batch.linger_ms must be 0 or more, not " + lingerMs);
            }
        }
    }

    /** The `budgets:` block (see {@link Budgets}): dollar limits, each more than 0. */
    record BudgetsBlock(@JsonProperty("daily_usd") Double dailyUsd,
                        @JsonProperty("session_daily_usd") Double sessionDailyUsd,
                        @JsonProperty("sessions") Map<String, Double> sessions,
                        @JsonProperty("agent_run_usd") Double agentRunUsd,
                        @JsonProperty("warn_percent") Integer warnPercent,
                        @JsonProperty("zone") String zone) {
        BudgetsBlock {
            dollars("budgets.daily_usd", dailyUsd);
            dollars("budgets.session_daily_usd", sessionDailyUsd);
            dollars("budgets.agent_run_usd", agentRunUsd);
            sessions = sessions == null ? Map.of() : Map.copyOf(sessions);
            sessions.forEach((id, usd) -> {
                if (!dev.relay.core.SessionId.isValid(id)) {
                    throw new IllegalArgumentException("budgets.sessions: \"" + id + "\" is not a session id (letters,"
                            + " digits, '.', '_' and '-')");
                }
                dollars("budgets.sessions." + id, usd);
            });
            if (warnPercent != null && (warnPercent < 1 || warnPercent > 99)) {
                throw new IllegalArgumentException("budgets.warn_percent must be from 1 to 99, not " + warnPercent);
            }
            if (zone != null) {
                try {
                    java.time.ZoneId.of(zone);
                } catch (java.time.DateTimeException e) {
                    throw new IllegalArgumentException("budgets.zone \"" + zone + "\" is not a time zone (for example"
                            + " Europe/Paris, UTC)");
                }
            }
        }

        private static void dollars(String key, Double usd) {
            if (usd != null && (!(usd > 0) || usd.isInfinite())) {
                throw new IllegalArgumentException(key + " must be a number of dollars greater than 0, not " + usd);
            }
        }

        Budgets toBudgets() {
            return new Budgets(java.util.Optional.ofNullable(dailyUsd), java.util.Optional.ofNullable(sessionDailyUsd),
                    sessions, java.util.Optional.ofNullable(agentRunUsd),
                    warnPercent != null ? warnPercent : Budgets.DEFAULT_WARN_PERCENT,
                    zone != null ? java.time.ZoneId.of(zone) : java.time.ZoneId.systemDefault());
        }
    }

    record Anthropic(@JsonProperty("base_url") String baseUrl) {
        Anthropic {
            Urls.check("anthropic.base_url", baseUrl);
        }
    }

    /** The `permissions:` block: ordered rules for Claude Code's permission prompts, then who decides. */
    record Permissions(@JsonProperty("timeout_s") Integer timeoutS, @JsonProperty("triage") String triage,
                       @JsonProperty("rules") List<Rule> rules) {
        Permissions {
            positive("permissions.timeout_s", timeoutS);
            if (triage != null && !triage.equals("operator") && !triage.equals("coordinator")) {
                throw new IllegalArgumentException("permissions.triage must be operator or coordinator, not \"" + triage + "\"");
            }
            rules = rules == null ? List.of() : List.copyOf(rules);
        }

        /** One rule: exactly one of allow, deny or ask, in Claude Code's rule syntax; optionally for one session. */
        record Rule(@JsonProperty("allow") String allow, @JsonProperty("deny") String deny, @JsonProperty("ask") String ask,
                    @JsonProperty("session") String session) {
            Rule {
                int given = (allow != null ? 1 : 0) + (deny != null ? 1 : 0) + (ask != null ? 1 : 0);
                if (given != 1) {
                    throw new IllegalArgumentException("a permissions rule is one of allow:, deny: or ask:, with its"
                            + " pattern (for example - allow: \"Bash(npm test:*)\")");
                }
                toRule(allow, deny, ask, session);   // checks the pattern here, so that its error names this line
            }

            dev.relay.permissions.PermissionRule toRule() {
                return toRule(allow, deny, ask, session);
            }

            private static dev.relay.permissions.PermissionRule toRule(String allow, String deny, String ask, String session) {
                dev.relay.permissions.PermissionRule.Decision d = allow != null ? dev.relay.permissions.PermissionRule.Decision.ALLOW
                        : deny != null ? dev.relay.permissions.PermissionRule.Decision.DENY : dev.relay.permissions.PermissionRule.Decision.ASK;
                return dev.relay.permissions.PermissionRule.parse(d, allow != null ? allow : deny != null ? deny : ask,
                        java.util.Optional.ofNullable(session));
            }
        }
    }

    record Escalation(@JsonProperty("renotify_s") Integer renotifyS, @JsonProperty("max_renotify") Integer maxRenotify) {
        Escalation {
            positive("escalation.renotify_s", renotifyS);
            if (maxRenotify != null && maxRenotify < 0) {
                throw new IllegalArgumentException("escalation.max_renotify must be 0 or more, not " + maxRenotify);
            }
        }
    }

    record Ntfy(@JsonProperty("server") String server, @JsonProperty("topic") String topic,
                @JsonProperty("reply_topic") String replyTopic) {
        Ntfy {
            Urls.check("ntfy.server", server);
        }
    }

    /** The `agents:` block: how container agents are run. */
    record Agents(@JsonProperty("max_concurrent") Integer maxConcurrent,
                  @JsonProperty("idle_timeout_s") Integer idleTimeoutS,
                  @JsonProperty("max_run_s") Integer maxRunS,
                  @JsonProperty("stop_grace_s") Integer stopGraceS,
                  @JsonProperty("mount_allowlist") List<String> mountAllowlist,
                  @JsonProperty("share_coordinator_key") Boolean shareCoordinatorKey) {
        Agents {
            positive("agents.max_concurrent", maxConcurrent);
            positive("agents.idle_timeout_s", idleTimeoutS);
            positive("agents.stop_grace_s", stopGraceS);
            if (maxRunS != null && maxRunS < 0) {
                throw new IllegalArgumentException("agents.max_run_s must be 0 (no limit) or more");
            }
        }
    }

    /** The top-level `container:` block: what every container session's container gets (its own `container.env` wins). */
    record ContainerDefaults(@JsonProperty("env") Map<String, String> env) {
        ContainerDefaults {
            env = ContainerEnv.check(env);
        }
    }

    record Tracker(@JsonProperty("url") String url) {
        Tracker {
            Urls.check("tracker.url", url);
        }
    }
}
