package dev.relay.relay;

import dev.relay.conversation.ConversationStore;
import dev.relay.core.SessionId;
import dev.relay.queue.QueueDirectory;
import dev.relay.queue.QueueIndex;
import dev.relay.queue.QueuedEnvelope;
import dev.relay.queue.Rejection;
import dev.relay.state.TakenIds;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The envelopes of queue/, through its index: bad ones are moved to .rejected as they arrive, duplicates of a taken
 * id or of an answered envelope when their turn comes; the oldest good one becomes the next work item. Remembers
 * when each session last reported. Each rejection is handed to the caller as it is made.
 */
final class Intake {
    private final QueueDirectory queue;
    private final QueueIndex queueIndex;
    private final TakenIds takenIds;
    private final ConversationStore conversation;
    private final Map<SessionId, Instant> lastReportAt = new HashMap<>();

    Intake(QueueDirectory queue, QueueIndex queueIndex, TakenIds takenIds, ConversationStore conversation) {
        this.queue = queue;
        this.queueIndex = queueIndex;
        this.takenIds = takenIds;
        this.conversation = conversation;
    }

    /**
     * A bad envelope is rejected when it arrives, not only when its turn would come: while the relay is paused or
     * busy, the agent that wrote it (and the operator) learn at once why it will never be taken.
     */
    void screenNewEnvelopes(Consumer<Rejection> rejected) {
        for (QueueDirectory.Entry entry : queueIndex.takeFresh()) {
            if (queue.read(entry) instanceof QueueDirectory.ReadResult.Invalid invalid) {
                rejected.accept(queue.reject(entry.file(), invalid.reason()));
                queueIndex.forget(entry.file());
            }
        }
    }

    /** The oldest envelope that can be taken, skipping those whose turn is being finished. */
    Optional<WorkItem> next(Predicate<Path> finishing, Consumer<Rejection> rejected) {
        for (QueueDirectory.Entry entry : queueIndex.entries()) {
            if (finishing.test(entry.file())) {
                continue;
            }
            Optional<WorkItem> item = accept(entry, rejected);
            if (item.isPresent()) {
                return item;
            }
            queueIndex.forget(entry.file());
        }
        return Optional.empty();
    }

    /** Validates one envelope; bad ones go to .rejected, duplicates of a taken id too. */
    private Optional<WorkItem> accept(QueueDirectory.Entry entry, Consumer<Rejection> rejected) {
        QueueDirectory.ReadResult result = queue.read(entry);
        if (result instanceof QueueDirectory.ReadResult.Invalid invalid) {
            rejected.accept(queue.reject(entry.file(), invalid.reason()));
            return Optional.empty();
        }
        if (!(result instanceof QueueDirectory.ReadResult.Valid valid)) {
            return Optional.empty();
        }
        QueuedEnvelope env = valid.envelope();
        boolean hasId = env.envelope().id().isPresent();
        if (hasId && takenIds.contains(env.key())) {
            rejected.accept(queue.reject(entry.file(), "id \"" + env.envelope().id().get() + "\" of session "
                    + env.envelope().session() + " was already taken; an id is taken once"));
            return Optional.empty();
        }
        if (conversation.assistantTurn(env.key()).isPresent()) {
            rejected.accept(queue.reject(entry.file(), "this very envelope was already answered"));
            return Optional.empty();
        }
        lastReportAt.put(env.envelope().session(), env.modifiedAt());
        return Optional.of(itemOf(env));
    }

    static WorkItem itemOf(QueuedEnvelope env) {
        SessionId session = env.envelope().session();
        return new WorkItem(env.file(), env.key(), session.value(), env.envelope().content(), Optional.of(session),
                env.envelope().id().isPresent());
    }

    /** When each session's last taken envelope was written. */
    Map<SessionId, Instant> lastReportAt() {
        return Collections.unmodifiableMap(lastReportAt);
    }
}
