package dev.relay.relay;

import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.core.SessionId;
import dev.relay.queue.QueueDirectory;
import dev.relay.queue.QueuedEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a restart finds half done, read from the history and the files: items answered whose file is still there
 * (their remaining steps are to be done), reports a batched reply left out (each to be asked for again), and the
 * last user turn, unanswered (its call is to be made again).
 */
final class Recovery {
    /** An item and the text that answers it: its reply, or its session's answer in a batched reply. */
    /** An answered item and its reply's text; {@code cost} what the turn charged its session, when known (null after a restart). */
    record Answered(WorkItem item, String text, Double cost) {
        Answered(WorkItem item, String text) {
            this(item, text, null);
        }
    }

    /** What was answered before the restart, and the follow-ups still to be asked. */
    record Found(List<Answered> answered, List<WorkItem> followUps) {}

    private final QueueDirectory queue;
    private final OperatorInbox operator;
    private final ConversationStore conversation;

    Recovery(QueueDirectory queue, OperatorInbox operator, ConversationStore conversation) {
        this.queue = queue;
        this.operator = operator;
        this.conversation = conversation;
    }

    /**
     * The answered items still there: operator messages first, then envelopes. Direct messages are not among them:
     * holding their reply again is a no-op, so their normal path finishes them.
     */
    Found answered(Optional<SessionId> operatorReplyTo) {
        List<Answered> found = new ArrayList<>();
        List<WorkItem> followUps = new ArrayList<>();
        for (Path file : operator.files()) {
            OperatorInbox.Message m = operator.message(file, operatorReplyTo);
            if (m.direct().isEmpty()) {
                conversation.assistantTurn(m.item().key()).ifPresent(reply -> found.add(new Answered(m.item(), reply.content())));
            }
        }
        String openKey = lastUserTurn().map(Turn::key).orElse("");
        for (QueuedEnvelope env : envelopes()) {
            WorkItem item = Intake.itemOf(env);
            Optional<Turn> reply = conversation.assistantTurn(item.key());
            if (reply.isPresent()) {
                found.add(new Answered(item, reply.get().content()));
                continue;
            }
            Optional<Turn> batchReply = conversation.batchOf(item.key()).flatMap(conversation::assistantTurn);
            if (batchReply.isEmpty()) {
                continue;
            }
            Optional<String> answer = batchReply.get().answerFor(item.speaker());
            if (answer.isPresent()) {
                found.add(new Answered(item, answer.get()));
                continue;
            }
            WorkItem followUp = WorkItem.followUp(item);
            Optional<Turn> followUpReply = conversation.assistantTurn(followUp.key());
            if (followUpReply.isPresent()) {
                found.add(new Answered(followUp, followUpReply.get().content()));
            } else if (!followUp.key().equals(openKey)) {
                followUps.add(followUp);
            }
        }
        return new Found(found, followUps);
    }

    /** The item of the last user turn when it was never answered and its file (a batch: any of its) is still there. */
    Optional<WorkItem> openTurn(Optional<SessionId> operatorReplyTo) {
        Optional<Turn> open = lastUserTurn();
        if (open.isEmpty()) {
            return Optional.empty();
        }
        Turn last = open.get();
        Optional<Path> operatorFile = operator.fileOf(last.key());
        if (operatorFile.isPresent()) {
            return Files.exists(operatorFile.get())
                    ? Optional.of(OperatorInbox.item(operatorFile.get(), last.content(), operatorReplyTo))
                    : Optional.empty();
        }
        Map<String, WorkItem> waiting = new HashMap<>();
        envelopes().forEach(env -> waiting.put(env.key(), Intake.itemOf(env)));
        if (last.isBatch()) {
            List<WorkItem> reports = new ArrayList<>();
            last.reports().forEach(r -> Optional.ofNullable(waiting.get(r.key())).ifPresent(reports::add));
            return reports.isEmpty() ? Optional.empty() : Optional.of(WorkItem.batchRecorded(last, reports));
        }
        if (last.key().startsWith(WorkItem.FOLLOW_UP_PREFIX)) {
            return Optional.ofNullable(waiting.get(last.key().substring(WorkItem.FOLLOW_UP_PREFIX.length())))
                    .map(WorkItem::followUp);
        }
        return Optional.ofNullable(waiting.get(last.key()));
    }

    /** The last turn when it is a user turn with a key that was never answered. */
    private Optional<Turn> lastUserTurn() {
        List<Turn> turns = conversation.turns();
        if (turns.isEmpty()) {
            return Optional.empty();
        }
        Turn last = turns.get(turns.size() - 1);
        return last.role() == Turn.Role.USER && !last.key().isEmpty() ? Optional.of(last) : Optional.empty();
    }

    private List<QueuedEnvelope> envelopes() {
        List<QueuedEnvelope> out = new ArrayList<>();
        for (QueueDirectory.Entry entry : queue.list()) {
            if (queue.read(entry) instanceof QueueDirectory.ReadResult.Valid v) {
                out.add(v.envelope());
            }
        }
        return out;
    }
}
