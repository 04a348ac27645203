package dev.relay.conversation;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the coordinator conversation.
 *
 * @param speaker for a user turn, the session id of the agent, {@link #OPERATOR} or {@link #RELAY}; empty for a
 *                batch and otherwise
 * @param key     the turn key of the work item (envelope, override or batch) this turn belongs to; empty for summaries
 * @param reports for a batched user turn, the reports it gives (its content is their fixed layout); empty otherwise
 * @param answers for the reply to a batched turn, the reply tool's calls, one per session; empty otherwise
 * @param charges for a reply or a summary, who its cost is charged to: the session (or sessions, in equal parts, for a
 *                batch) whose reports it answered, {@link #OPERATOR}, or for a summary what the turns it replaced
 *                were charged plus its own call under {@link #SUMMARY_CHARGE}; empty when not known (older journals)
 */
public record Turn(Role role, String speaker, String content, String key, Instant at, Usage usage, List<Report> reports,
                   List<Answer> answers, Map<String, Double> charges) {
    public static final String OPERATOR = "operator";
    /** The speaker of the relay's own turns: the follow-up that asks for a session a batched reply left out. */
    public static final String RELAY = "relay";
    /** Whom the summaries' own calls are charged to. */
    public static final String SUMMARY_CHARGE = "(summaries)";

    public enum Role { USER, ASSISTANT, SUMMARY }

    /** One report of a batched turn: the session, the envelope's turn key, when it was written. */
    public record Report(String session, String key, Instant at) {}

    /**
     * One call of the reply tool.
     *
     * @param delivered whether it answers a session of its batch (a call naming any other is recorded, never sent)
     */
    public record Answer(String toolUseId, String session, String text, boolean delivered) {}

    public Turn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(at, "at");
        speaker = speaker == null ? "" : speaker;
        key = key == null ? "" : key;
        usage = usage == null ? Usage.NONE : usage;
        reports = reports == null ? List.of() : List.copyOf(reports);
        answers = answers == null ? List.of() : List.copyOf(answers);
        charges = charges == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(charges));
    }

    public Turn(Role role, String speaker, String content, String key, Instant at, Usage usage, List<Report> reports,
                List<Answer> answers) {
        this(role, speaker, content, key, at, usage, reports, answers, Map.of());
    }

    public Turn(Role role, String speaker, String content, String key, Instant at, Usage usage) {
        this(role, speaker, content, key, at, usage, List.of(), List.of(), Map.of());
    }

    /** This turn, its cost charged as given. */
    public Turn chargedTo(Map<String, Double> charges) {
        return new Turn(role, speaker, content, key, at, usage, reports, answers, charges);
    }

    public static Turn user(String speaker, String content, String key, Instant at) {
        return new Turn(Role.USER, speaker, content, key, at, Usage.NONE);
    }

    /** A batched user turn: several reports in one fixed layout ({@code content}). */
    public static Turn batch(String content, String key, Instant at, List<Report> reports) {
        return new Turn(Role.USER, "", content, key, at, Usage.NONE, reports, List.of());
    }

    public static Turn assistant(String content, String key, Instant at, Usage usage) {
        return new Turn(Role.ASSISTANT, "", content, key, at, usage);
    }

    /** The reply to a batched turn; its content shows the answers as a reader sees them. */
    public static Turn answers(String key, Instant at, Usage usage, List<Answer> answers) {
        StringBuilder shown = new StringBuilder();
        for (Answer a : answers) {
            if (shown.length() > 0) {
                shown.append("\n\n");
            }
            shown.append("[to ").append(a.session()).append(a.delivered() ? "" : ", not sent").append("] ").append(a.text());
        }
        return new Turn(Role.ASSISTANT, "", shown.toString(), key, at, usage, List.of(), answers);
    }

    /** The operator's answer to a report, in the coordinator's place: an assistant turn whose speaker is the operator. */
    public static Turn byOperator(String content, String key, Instant at) {
        return new Turn(Role.ASSISTANT, OPERATOR, content, key, at, Usage.NONE);
    }

    public static Turn summary(String content, Instant at) {
        return new Turn(Role.SUMMARY, "", content, "", at, Usage.NONE);
    }

    public boolean fromOperator() {
        return role == Role.USER && OPERATOR.equals(speaker);
    }

    public boolean isBatch() {
        return !reports.isEmpty();
    }

    /** The text this reply sends to {@code session}: its delivered answers, joined; empty when none answers it. */
    public Optional<String> answerFor(String session) {
        String joined = null;
        for (Answer a : answers) {
            if (a.delivered() && a.session().equals(session) && !a.text().isBlank()) {
                joined = joined == null ? a.text() : joined + "\n\n" + a.text();
            }
        }
        return Optional.ofNullable(joined);
    }

    /** The text the coordinator sees for this turn. */
    public String promptText() {
        return switch (role) {
            case USER -> isBatch() ? content
                    : fromOperator() ? "[operator JC] " + content
                    : RELAY.equals(speaker) ? "[relay] " + content
                    : "[session " + speaker + "] " + content;
            case ASSISTANT -> content;
            case SUMMARY -> "[summary of the earlier conversation]\n" + content;
        };
    }
}
