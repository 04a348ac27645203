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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    void screenNewEnvelopes(Consumer<Rejection> rejected, Consumer<QueuedEnvelope> fresh) {
        for (QueueDirectory.Entry entry : queueIndex.takeFresh()) {
            QueueDirectory.ReadResult result = queue.read(entry);
            if (result instanceof QueueDirectory.ReadResult.Invalid invalid) {
                rejected.accept(queue.reject(entry.file(), invalid.reason()));
                queueIndex.forget(entry.file());
            } else if (result instanceof QueueDirectory.ReadResult.Valid valid) {
                fresh.accept(valid.envelope());
            }
        }
    }

    /**
     * The oldest envelopes that can be taken, skipping those whose turn is being finished: at most {@code max}, one
     * per session (a session's next report waits for the turn after, so its order holds), and no more than
     * {@code maxChars} of text (the oldest is taken whatever its length). An envelope of a session that may not be taken
     * now ({@code takes}: its budget's brake) is left waiting where it is.
     */
    List<WorkItem> next(Predicate<Path> finishing, Consumer<Rejection> rejected, int max, int maxChars,
                        Predicate<SessionId> takes) {
        List<WorkItem> taken = new ArrayList<>();
        Set<String> sessions = new HashSet<>();
        long chars = 0;
        for (QueueDirectory.Entry entry : queueIndex.entries()) {
            if (taken.size() >= max) {
                break;
            }
            if (finishing.test(entry.file())) {
                continue;
            }
            Optional<WorkItem> item = accept(entry, rejected);
            if (item.isEmpty()) {
                queueIndex.forget(entry.file());
                continue;
            }
            WorkItem w = item.get();
            if (!sessions.add(w.speaker()) || !takes.test(w.replyTo().orElseThrow())) {
                continue;
            }
            if (!taken.isEmpty() && chars + w.content().length() > maxChars) {
                break;
            }
            chars += w.content().length();
            taken.add(w);
        }
        taken.forEach(w -> lastReportAt.put(w.replyTo().orElseThrow(), w.at()));
        return taken;
    }

    /** The envelope of {@code entry} as a work item, if it is valid and unanswered (a bad one is rejected). */
    Optional<WorkItem> read(QueueDirectory.Entry entry, Consumer<Rejection> rejected) {
        Optional<WorkItem> item = accept(entry, rejected);
        if (item.isEmpty()) {
            queueIndex.forget(entry.file());
        }
        return item;
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
        if (conversation.assistantTurn(env.key()).isPresent() || conversation.batchOf(env.key())
                .flatMap(conversation::assistantTurn).flatMap(b -> b.answerFor(env.envelope().session().value())).isPresent()) {
            rejected.accept(queue.reject(entry.file(), "this very envelope was already answered"));
            return Optional.empty();
        }
        return Optional.of(itemOf(env));
    }

    static WorkItem itemOf(QueuedEnvelope env) {
        SessionId session = env.envelope().session();
        return new WorkItem(env.file(), env.key(), session.value(), env.envelope().content(), Optional.of(session),
                env.envelope().id().isPresent(), env.modifiedAt());
    }

    /** When each session's last taken envelope was written. */
    Map<SessionId, Instant> lastReportAt() {
        return Collections.unmodifiableMap(lastReportAt);
    }
}
