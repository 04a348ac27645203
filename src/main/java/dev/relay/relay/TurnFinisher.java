package dev.relay.relay;

import dev.relay.core.Keys;
import dev.relay.core.SessionId;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.queue.QueueIndex;
import dev.relay.state.TakenIds;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The answered turns on their way out, oldest first, and their remaining durable steps ({@link TurnStep}): reply
 * held, id recorded, item removed, reply released. Each step is idempotent, so after a failure the next
 * {@link #advance()} goes on where it stopped. The reply is released only once its item is removed: until then no
 * one can deliver it, so a restart that finds the item finishes the turn without ever sending the reply twice.
 */
final class TurnFinisher {
    /** An answered turn: the reply to hold and release (none for a needs_jc reply), the item to remove. */
    record Finish(WorkItem item, String text, Optional<SessionId> to, boolean direct) {
        /** An answered turn: its reply goes to the item's session, unless it asks for JC or is blank. */
        static Finish answered(WorkItem item, String text, boolean needsJc) {
            boolean sends = !needsJc && item.replyTo().isPresent() && !text.isBlank();
            return new Finish(item, text, sends ? item.replyTo() : Optional.empty(), false);
        }

        /** A direct message: sent as it is, or (empty) only its file removed. */
        static Finish direct(WorkItem item, String message) {
            return new Finish(item, message, message.isEmpty() ? Optional.empty() : item.replyTo(), true);
        }
    }

    /** The turns finished by one {@link #advance()}, in order, and the one whose step failed, if any. */
    record Advanced(List<Finish> done, Optional<Failed> failed) {}

    record Failed(WorkItem item, RuntimeException cause) {}

    private final ArrayDeque<Finish> finishing = new ArrayDeque<>();
    private final Outbox outbox;
    private final TakenIds takenIds;
    private final QueueIndex queueIndex;
    private final BiConsumer<TurnStep, String> reach;

    /** @param reach  called before each durable step (the loop's fault seam) */
    TurnFinisher(Outbox outbox, TakenIds takenIds, QueueIndex queueIndex, BiConsumer<TurnStep, String> reach) {
        this.outbox = outbox;
        this.takenIds = takenIds;
        this.queueIndex = queueIndex;
        this.reach = reach;
    }

    void add(Finish f) {
        finishing.add(f);
    }

    boolean isEmpty() {
        return finishing.isEmpty();
    }

    boolean isFinishing(Path file) {
        for (Finish f : finishing) {
            if (f.item().file().equals(file)) {
                return true;
            }
        }
        return false;
    }

    /** The outbox digests of the turns still on their way: their held replies must stay held. */
    Set<String> heldDigests() {
        Set<String> keep = new HashSet<>();
        finishing.forEach(f -> keep.add(Keys.digest(f.item().key())));
        return keep;
    }

    /**
     * Finishes the turns on their way out. All of them go through each step together, so that a batch (or a backlog)
     * costs one sync per directory and step, not one per item: the held replies' directories, the taken ids, the
     * items' directories; a release needs none (see {@link Outbox#release}). Each step is done for every item before
     * the next begins, so each item's order (held, recorded, removed, released) is kept. When a step fails, the
     * items are finished one at a time, as far as they go: one that cannot be finished holds back only those after
     * it.
     */
    Advanced advance() {
        if (finishing.size() > 1) {
            List<Finish> all = new ArrayList<>(finishing);
            try {
                together(all);
                finishing.clear();
                return new Advanced(all, Optional.empty());
            } catch (RuntimeException e) {
                // one by one below: each step is idempotent, so what was done is done again as a no-op
            }
        }
        return oneByOne();
    }

    private void together(List<Finish> all) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Finish f : all) {
            if (f.to().isPresent()) {
                reach.accept(TurnStep.REPLY_HELD, f.item().key());
                if (outbox.holdUnsynced(f.to().get(), f.item().key(), f.text())) {
                    dirs.add(outbox.dir(f.to().get()));
                }
            }
        }
        dirs.forEach(AtomicFiles::fsyncDirectory);
        List<String> ids = new ArrayList<>();
        for (Finish f : all) {
            if (f.item().recordsId()) {
                reach.accept(TurnStep.ID_RECORDED, f.item().key());
                ids.add(f.item().idKey());
            }
        }
        takenIds.addAll(ids);
        dirs.clear();
        for (Finish f : all) {
            reach.accept(TurnStep.ITEM_REMOVED, f.item().key());
            if (AtomicFiles.deleteUnsynced(f.item().file())) {
                dirs.add(f.item().file().toAbsolutePath().getParent());
            }
            queueIndex.forget(f.item().file());
        }
        dirs.forEach(AtomicFiles::fsyncDirectory);
        for (Finish f : all) {
            if (f.to().isPresent()) {
                reach.accept(TurnStep.REPLY_RELEASED, f.item().key());
                outbox.release(f.to().get(), f.item().key());
            }
        }
    }

    private Advanced oneByOne() {
        List<Finish> done = new ArrayList<>();
        while (!finishing.isEmpty()) {
            Finish f = finishing.peekFirst();
            WorkItem item = f.item();
            try {
                together(List.of(f));
            } catch (RuntimeException e) {
                return new Advanced(done, Optional.of(new Failed(item, e)));
            }
            finishing.removeFirst();
            done.add(f);
        }
        return new Advanced(done, Optional.empty());
    }
}
