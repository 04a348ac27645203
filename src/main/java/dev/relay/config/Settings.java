package dev.relay.config;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The effective, immutable settings of one relay home, after every source is merged. */
public record Settings(
        Home home,
        String model,
        int maxTokens,
        String systemPrompt,
        String summarizationPrompt,
        int historyCharCap,
        int keepRecentTurns,
        String needsJcToken,
        int needsJcScanChars,
        Duration stuckQueueThreshold,
        long maxEnvelopeBytes,
        boolean cacheHistory,
        List<SessionConfig> sessions,
        String anthropicBaseUrl,
        String ntfyServer,
        String ntfyTopic,
        Optional<String> trackerUrl,
        PriceTable prices,
        AgentSettings agents,
        BatchSettings batch,
        PhoneSettings phone,
        CoordinatorMode coordinatorMode,
        Review review,
        dev.relay.permissions.PermissionPolicy permissions,
        Budgets budgets,
        Secrets secrets) {

    public static final String DEFAULT_MODEL = "claude-sonnet-5-5";

    public Settings {
        sessions = List.copyOf(sessions);
        agents = agents == null ? AgentSettings.DEFAULT : agents;
        batch = batch == null ? BatchSettings.DEFAULT : batch;
        phone = phone == null ? PhoneSettings.DEFAULT : phone;
        coordinatorMode = coordinatorMode == null ? CoordinatorMode.AUTO : coordinatorMode;
        review = review == null ? Review.OFF : review;
        permissions = permissions == null ? dev.relay.permissions.PermissionPolicy.DEFAULT : permissions;
        budgets = budgets == null ? Budgets.NONE : budgets;
    }

    /** The review of {@code session}'s replies: its own, else the relay's. */
    public Review reviewOf(SessionId session) {
        return session(session).flatMap(SessionConfig::review).orElse(review);
    }

    /**
     * Who answers the agents' reports: the model ({@code anthropic}), the operator through the inbox ({@code operator}),
     * or the model when a key is set and the operator until then ({@code auto}, the default).
     */
    public enum CoordinatorMode {
        AUTO, ANTHROPIC, OPERATOR;

        /** Who coordinates now, given whether an API key is set: ANTHROPIC or OPERATOR. */
        public CoordinatorMode effective(boolean keyPresent) {
            return this == AUTO ? (keyPresent ? ANTHROPIC : OPERATOR) : this;
        }

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The phone's way back and how it is nagged: the actions of the phone's buttons (and its text answers) are
     * published to {@code replyTopic} on the ntfy server; an open item nobody acknowledged is pushed again after
     * {@code renotify}, at most {@code maxRenotify} times.
     */
    public record PhoneSettings(String replyTopic, Duration renotify, int maxRenotify) {
        public static final PhoneSettings DEFAULT = new PhoneSettings("", Duration.ofSeconds(1800), 3);
    }

    /**
     * How reports that wait are answered together: at most {@code maxEnvelopes} in one turn (1: one per turn, as
     * before batching) and {@code maxChars} of their text; while the relay is loaded (its last turn answered several),
     * a turn waits up to {@code linger} after the previous one for more reports to join it.
     */
    public record BatchSettings(int maxEnvelopes, int maxChars, Duration linger) {
        public static final BatchSettings DEFAULT = new BatchSettings(8, 48_000, Duration.ofMillis(2000));

        public boolean on() {
            return maxEnvelopes > 1;
        }
    }

    /**
     * How container agents run: at most {@code maxConcurrent} at once, closed after {@code idleTimeout} without work,
     * stopped after {@code maxRun} (zero: no limit), killed {@code stopGrace} after a stop or close was asked; the
     * coordinator's API key is theirs too only with {@code shareCoordinatorKey}; {@code env} (the top-level
     * {@code container.env}) goes into every agent's container.
     */
    public record AgentSettings(int maxConcurrent, Duration idleTimeout, Duration maxRun, Duration stopGrace,
                                List<java.nio.file.Path> mountAllowlist, boolean shareCoordinatorKey, Map<String, String> env) {
        public static final AgentSettings DEFAULT = new AgentSettings(4, Duration.ofSeconds(300), Duration.ZERO,
                Duration.ofSeconds(30), List.of(), false, Map.of());

        public AgentSettings {
            mountAllowlist = mountAllowlist == null ? List.of() : List.copyOf(mountAllowlist);
            env = env == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(env));
        }
    }

    /** The plain environment of a container session's agent: the top-level container.env, then its own over it. */
    public Map<String, String> containerEnv(SessionConfig session) {
        Map<String, String> env = new TreeMap<>(agents.env());
        env.putAll(session.container().env());
        return Collections.unmodifiableMap(env);
    }

    /** The credential container agents get now (see {@link AgentCredential#choose}). */
    public Optional<AgentCredential> agentCredential() {
        return AgentCredential.choose(secrets, agents.shareCoordinatorKey());
    }

    public Optional<SessionConfig> session(SessionId id) {
        return sessions.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The sessions Relay runs itself, in containers ({@code kind: container}), in config.yaml's order. */
    public List<SessionConfig> containerSessions() {
        return sessions.stream().filter(s -> s.kind() == SessionConfig.Kind.CONTAINER).toList();
    }

    public boolean isContainerSession(SessionId id) {
        return session(id).map(s -> s.kind() == SessionConfig.Kind.CONTAINER).orElse(false);
    }

    public Optional<SessionConfig> firstSession() {
        return sessions.stream().findFirst();
    }

    public String ntfyUrl() {
        return ntfyServer + "/" + ntfyTopic;
    }

    public Settings withSecrets(Secrets newSecrets) {
        return new Settings(home, model, maxTokens, systemPrompt, summarizationPrompt, historyCharCap, keepRecentTurns,
                needsJcToken, needsJcScanChars, stuckQueueThreshold, maxEnvelopeBytes, cacheHistory, sessions, anthropicBaseUrl,
                ntfyServer, ntfyTopic, trackerUrl, prices, agents, batch, phone, coordinatorMode, review, permissions, budgets,
                newSecrets);
    }
}
