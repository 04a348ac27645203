package dev.relay.claude;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.anthropic.CacheTtl;
import dev.relay.anthropic.Coordinator;
import dev.relay.anthropic.CoordinatorException;
import dev.relay.anthropic.CoordinatorReply;
import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.core.SessionId;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.logging.Redactor;
import dev.relay.permissions.PermissionPolicy;
import dev.relay.permissions.PermissionRule;
import dev.relay.trail.Trail;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claude Code's permission prompts (its PermissionRequest hook), decided by policy first (the first matching rule of
 * {@code permissions.rules}), then by the operator: an inbox item of kind {@code permission} (allow, allow for the
 * session, deny), answered from anywhere, the first answer winning. With no decision within the timeout the hook
 * answers nothing, so Claude Code does what it would have done without it; the item then says so, and an answer that
 * comes later is refused with that reason.
 */
public final class PermissionDesk {
    private static final Logger LOG = LoggerFactory.getLogger(PermissionDesk.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_SHOWN = 1500;

    private final Inbox inbox;
    private final Trail trail;
    private final Supplier<PermissionPolicy> policy;
    private final Clock clock;
    private final Supplier<Optional<Coordinator>> coordinator;
    private final Supplier<String> model;

    /** The answer the coordinator must give: one line, one of three words, a reason. */
    private static final java.util.regex.Pattern VERDICT = java.util.regex.Pattern.compile("(ALLOW|DENY|ASK): (\\S.*)");
    static final String TRIAGE_PROMPT = """
            You decide whether a coding agent may use a tool now, for the team's coordinator. You get the session, the
            project directory, the tool and its input. Answer with exactly one line and nothing else, one of:
            ALLOW: <the reason, in one sentence>
            DENY: <what the agent should do instead, in one sentence; the agent reads it>
            ASK: <why a human should decide, in one sentence>
            Deny what could destroy data, leak secrets or reach outside the project; ask when unsure.""";

    public PermissionDesk(Inbox inbox, Trail trail, Supplier<PermissionPolicy> policy, Clock clock) {
        this(inbox, trail, policy, clock, Optional::empty, () -> "");
    }

    /** With {@code coordinator} for {@code permissions.triage: coordinator} (none: the operator decides). */
    public PermissionDesk(Inbox inbox, Trail trail, Supplier<PermissionPolicy> policy, Clock clock,
                          Supplier<Optional<Coordinator>> coordinator, Supplier<String> model) {
        this.inbox = inbox;
        this.trail = trail;
        this.policy = policy;
        this.clock = clock;
        this.coordinator = coordinator;
        this.model = model;
    }

    /** The coordinator's verdict: ALLOW, DENY or ASK with its reason; empty when it gave none that can be read. */
    record Verdict(PermissionRule.Decision decision, String reason) {}

    Optional<Verdict> triage(SessionId session, String what, Path cwd) {
        Optional<Coordinator> c = coordinator.get();
        if (c.isEmpty()) {
            return Optional.empty();
        }
        String brief = "Session: " + session + "\nProject: " + cwd + "\nTool and input: " + shown(what);
        try {
            CoordinatorReply reply = c.get().complete(new CoordinatorRequest(model.get(), 200, TRIAGE_PROMPT,
                    java.util.List.of(new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, brief)), CacheTtl.NONE));
            java.util.regex.Matcher m = VERDICT.matcher(reply.text().strip());
            if (!m.matches()) {
                LOG.warn("the coordinator's answer to a permission prompt of {} is not ALLOW/DENY/ASK: reason: \"{}\"; the"
                        + " operator decides", session, reply.text().strip());
                return Optional.empty();
            }
            return Optional.of(new Verdict(PermissionRule.Decision.valueOf(m.group(1)), m.group(2).strip()));
        } catch (CoordinatorException | RuntimeException e) {
            LOG.warn("the coordinator could not decide a permission prompt of {} ({}); the operator decides", session,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** The hook's answer for {@code input} (its stdin as JSON): a decision, or none (empty). */
    public ClaudeHooks.Outcome request(SessionId session, JsonNode input) throws InterruptedException {
        String tool = input.path("tool_name").asText("");
        JsonNode toolInput = input.path("tool_input");
        Path cwd = Path.of(input.path("cwd").asText("."));
        String what = describe(tool, toolInput);
        PermissionPolicy p = policy.get();
        Optional<PermissionRule> rule = p.decide(session.value(), tool, toolInput, cwd);
        if (rule.isPresent() && rule.get().decision() != PermissionRule.Decision.ASK) {
            boolean allow = rule.get().decision() == PermissionRule.Decision.ALLOW;
            record(session, allow ? "allowed" : "denied", "rule " + rule.get().decision().wire() + ": " + rule.get().text(), what);
            return decided(allow ? allow(Optional.empty()) : deny("Denied by Relay's rule \"" + rule.get().text()
                    + "\" (config.yaml permissions)."), (allow ? "allowed" : "denied") + " by rule " + rule.get().text());
        }
        String asked = shown(what);
        if (rule.isEmpty() && p.triage() == PermissionPolicy.Triage.COORDINATOR) {
            Optional<Verdict> v = triage(session, what, cwd);
            if (v.isPresent() && v.get().decision() != PermissionRule.Decision.ASK) {
                boolean allow = v.get().decision() == PermissionRule.Decision.ALLOW;
                record(session, allow ? "allowed" : "denied", "coordinator: " + v.get().reason(), what);
                return decided(allow ? allow(Optional.empty()) : deny("Denied by the coordinator: " + v.get().reason()),
                        (allow ? "allowed" : "denied") + " by the coordinator");
            }
            asked = asked + "\n\n" + v.map(x -> "The coordinator asks you: " + x.reason())
                    .orElse("(the coordinator gave no answer that could be read)");
        }
        Item item = inbox.raise(new Inbox.Raise(Kind.PERMISSION, Severity.URGENT,
                "permission:" + session.value() + ":" + input.path("tool_use_id").asText(Long.toString(clock.millis())),
                Optional.of(session.value()), "Permission for " + session + ": " + tool, asked));
        record(session, "asked", rule.map(r -> "rule ask: " + r.text()).orElse("no rule"), what);
        Instant deadline = clock.instant().plus(p.timeout());
        while (clock.instant().isBefore(deadline)) {
            Optional<Item> now = inbox.read().find(item.code());
            if (now.isEmpty()) {
                break;
            }
            for (Item.Entry e : now.get().history()) {
                switch (e.action()) {
                    case ALLOW -> {
                        record(session, "allowed", e.source().wire(), what);
                        return decided(allow(Optional.empty()), "allowed " + e.source().from());
                    }
                    case ALLOW_SESSION -> {
                        record(session, "allowed", e.source().wire() + ", for the session", what);
                        return decided(allow(Optional.of(input.path("permission_suggestions"))),
                                "allowed for the session " + e.source().from());
                    }
                    case DENY -> {
                        record(session, "denied", e.source().wire(), what);
                        return decided(deny(e.text().orElse("Denied by the operator (JC) " + e.source().from() + ".")),
                                "denied " + e.source().from());
                    }
                    default -> { }
                }
            }
            if (!now.get().isOpen()) {
                break;   // resolved or acknowledged away without a decision
            }
            Thread.sleep(POLL.toMillis());
        }
        inbox.clear(item.key(), "no decision within " + p.timeout().toSeconds() + " s: Claude Code decided as without the hook");
        record(session, "timed out", "no decision within " + p.timeout().toSeconds() + " s", what);
        return new ClaudeHooks.Outcome(Optional.empty(), "no decision within " + p.timeout().toSeconds() + " s", () -> { });
    }

    private static ClaudeHooks.Outcome decided(ObjectNode decision, String note) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode specific = out.putObject("hookSpecificOutput");
        specific.put("hookEventName", "PermissionRequest");
        specific.set("decision", decision);
        return new ClaudeHooks.Outcome(Optional.of(out.toString()), note, () -> { });
    }

    /**
     * Allow; for the session: the request's own suggestions, each with its destination set to {@code session}, so that
     * nothing is written into the project's settings files.
     */
    static ObjectNode allow(Optional<JsonNode> suggestions) {
        ObjectNode d = JSON.createObjectNode();
        d.put("behavior", "allow");
        suggestions.filter(JsonNode::isArray).filter(s -> !s.isEmpty()).ifPresent(s -> {
            ArrayNode updated = d.putArray("updatedPermissions");
            for (JsonNode suggestion : s) {
                ObjectNode copy = suggestion.deepCopy();
                copy.put("destination", "session");
                updated.add(copy);
            }
        });
        return d;
    }

    static ObjectNode deny(String message) {
        ObjectNode d = JSON.createObjectNode();
        d.put("behavior", "deny");
        d.put("message", message);
        return d;
    }

    /** "Bash: npm test -- --watch=false", secrets masked as in the logs. */
    static String describe(String tool, JsonNode input) {
        String detail = input.hasNonNull("command") ? input.get("command").asText()
                : input.hasNonNull("file_path") ? input.get("file_path").asText()
                : input.hasNonNull("url") ? input.get("url").asText() : input.toString();
        return Redactor.redact(tool + ": " + detail);
    }

    /** Long input folded: its start and its end, with how much was left out. */
    static String shown(String what) {
        if (what.length() <= MAX_SHOWN) {
            return what;
        }
        int keep = MAX_SHOWN / 2;
        return what.substring(0, keep) + "\n… (" + (what.length() - 2 * keep) + " characters folded) …\n"
                + what.substring(what.length() - keep);
    }

    private void record(SessionId session, String step, String by, String what) {
        LOG.info("permission for {} {}: {} ({})", session, step, what, by);
        trail.append(new Trail.Step(clock.instant().toString(), "permission " + step, null, session.value(), null, by,
                what.length() > 200 ? what.substring(0, 200) + "…" : what));
    }
}
