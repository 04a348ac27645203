package dev.relay.relay;

import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.core.SessionId;
import dev.relay.queue.QueueDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a restart finds half done, read from the history and the files: turns answered whose item is still there
 * (their remaining steps are to be done), and the last user turn, unanswered (its call is to be made again).
 */
final class Recovery {
    /** An item whose reply was recorded before the restart. */
    record Answered(WorkItem item, Turn reply) {}

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
    List<Answered> answered(Optional<SessionId> operatorReplyTo) {
        List<Answered> found = new ArrayList<>();
        for (Path file : operator.files()) {
            OperatorInbox.Message m = operator.message(file, operatorReplyTo);
            if (m.direct().isEmpty()) {
                conversation.assistantTurn(m.item().key()).ifPresent(reply -> found.add(new Answered(m.item(), reply)));
            }
        }
        for (QueueDirectory.Entry entry : queue.list()) {
            if (queue.read(entry) instanceof QueueDirectory.ReadResult.Valid v) {
                conversation.assistantTurn(v.envelope().key()).ifPresent(reply ->
                        found.add(new Answered(Intake.itemOf(v.envelope()), reply)));
            }
        }
        return found;
    }

    /** The item of the last user turn when it was never answered and its file is still there. */
    Optional<WorkItem> openTurn(Optional<SessionId> operatorReplyTo) {
        List<Turn> turns = conversation.turns();
        if (turns.isEmpty()) {
            return Optional.empty();
        }
        Turn last = turns.get(turns.size() - 1);
        if (last.role() != Turn.Role.USER || last.key().isEmpty()) {
            return Optional.empty();
        }
        Optional<Path> operatorFile = operator.fileOf(last.key());
        if (operatorFile.isPresent()) {
            return Files.exists(operatorFile.get())
                    ? Optional.of(OperatorInbox.item(operatorFile.get(), last.content(), operatorReplyTo))
                    : Optional.empty();
        }
        for (QueueDirectory.Entry entry : queue.list()) {
            if (queue.read(entry) instanceof QueueDirectory.ReadResult.Valid v && v.envelope().key().equals(last.key())) {
                return Optional.of(Intake.itemOf(v.envelope()));
            }
        }
        return Optional.empty();
    }
}
