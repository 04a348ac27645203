package dev.relay.relay;

import dev.relay.conversation.Turn;
import dev.relay.core.Keys;
import dev.relay.core.SessionId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Something that becomes one coordinator turn: an envelope from queue/, an operator message taken from
 * jc_input.txt, a batch of envelopes answered together, or the relay's follow-up for an envelope a batched reply
 * left out. Its files stay where they are until the turn is complete, so a crash never loses one.
 *
 * @param speaker    the session id of the reporting agent, {@code Turn.OPERATOR}, {@code Turn.RELAY} for a
 *                   follow-up, empty for a batch
 * @param replyTo    where the coordinator's reply goes; empty when it is only recorded (and for a batch, whose
 *                   members say)
 * @param recordsId  whether {@code idKey} must be remembered as a taken envelope id
 * @param at         when the envelope was written (a batch: its newest)
 * @param idKey      the envelope's own key: a follow-up's turn key differs from its envelope's
 * @param members    a batch's envelopes, oldest first, one per session; empty for any other item
 */
record WorkItem(Path file, String key, String speaker, String content, Optional<SessionId> replyTo, boolean recordsId,
                Instant at, String idKey, List<WorkItem> members) {
    static final String BATCH_PREFIX = "batch:";
    static final String FOLLOW_UP_PREFIX = "followup:";

    WorkItem {
        members = List.copyOf(members);
    }

    WorkItem(Path file, String key, String speaker, String content, Optional<SessionId> replyTo, boolean recordsId, Instant at) {
        this(file, key, speaker, content, replyTo, recordsId, at, key, List.of());
    }

    /** The reports, answered together: one user turn in a fixed layout (README, "Many agents, one coordinator"). */
    static WorkItem batch(List<WorkItem> reports) {
        if (reports.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one report");
        }
        String key = BATCH_PREFIX + Keys.digest(reports.stream().map(WorkItem::key).collect(Collectors.joining(",")));
        StringBuilder layout = new StringBuilder();
        layout.append(reports.size() == 1 ? "1 report arrived" : reports.size() + " reports arrived together")
                .append(". Answer each session with the ").append(dev.relay.anthropic.CoordinatorRequest.REPLY_TOOL)
                .append(" tool: one call per session.");
        for (WorkItem r : reports) {
            layout.append("\n\n[session ").append(r.speaker()).append(", reported ").append(r.at()).append("]\n")
                    .append(r.content());
        }
        Instant newest = reports.stream().map(WorkItem::at).max(Instant::compareTo).orElseThrow();
        return new WorkItem(reports.get(0).file(), key, "", layout.toString(), Optional.empty(), false, newest, key, reports);
    }

    /** A batch as it was recorded before a restart, with the reports still waiting. */
    static WorkItem batchRecorded(Turn user, List<WorkItem> reports) {
        return new WorkItem(reports.get(0).file(), user.key(), "", user.content(), Optional.empty(), false, user.at(),
                user.key(), reports);
    }

    /** The relay asks again for one session a batched reply did not answer: a plain-text turn of its own. */
    static WorkItem followUp(WorkItem report) {
        String content = "The reply to the reports above did not answer session " + report.speaker() + " (its report of "
                + report.at() + "). Answer session " + report.speaker() + " now, in plain text.";
        return new WorkItem(report.file(), followUpKey(report.key()), Turn.RELAY, content, report.replyTo(),
                report.recordsId(), report.at(), report.idKey(), List.of());
    }

    static String followUpKey(String envelopeKey) {
        return FOLLOW_UP_PREFIX + envelopeKey;
    }

    boolean isBatch() {
        return !members.isEmpty();
    }

    /** The files this turn answers. */
    List<Path> files() {
        if (!isBatch()) {
            return List.of(file);
        }
        List<Path> files = new ArrayList<>();
        members.forEach(m -> files.add(m.file()));
        return files;
    }

    /** The user turn that records this item, taken {@code now}. */
    Turn userTurn(Instant now) {
        if (!isBatch()) {
            return Turn.user(speaker, content, key, now);
        }
        List<Turn.Report> reports = members.stream().map(m -> new Turn.Report(m.speaker(), m.key(), m.at())).toList();
        return Turn.batch(content, key, now, reports);
    }

    /** The item as the log names it. */
    String describe() {
        if (isBatch()) {
            return "the batch of " + members.size() + " reports from "
                    + members.stream().map(WorkItem::speaker).collect(Collectors.joining(", "));
        }
        return speaker.equals(Turn.OPERATOR) ? "the operator's message"
                : speaker.equals(Turn.RELAY) ? "the follow-up for envelope " + file.getFileName()
                : "envelope " + file.getFileName() + " from " + speaker;
    }
}
