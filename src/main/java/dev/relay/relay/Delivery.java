package dev.relay.relay;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.files.Confined;
import dev.relay.files.IoCause;
import dev.relay.notify.Notification;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the outbox's waiting replies to their sessions, each session on its own: one that cannot be written to (its
 * directory made read-only, a link where its input goes) is blocked, with the cause, and tried again after a growing
 * pause, while every other session goes on. Answers what happened, in order, for the loop to tell.
 */
final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    /** A session whose replies cannot be handed over: they wait, and the hand-over is tried again at {@code retryAt}. */
    record Blocked(String cause, Instant since, int failures, Instant retryAt) {}

    sealed interface Outcome {}

    /** A reply handed to its session; {@code digest} names the turn it answers (its outbox entry's). */
    record Delivered(SessionId session, String digest) implements Outcome {}

    /**
     * The session's reader took the reply last handed to it (input.txt is gone: read, or taken by its hook), or, for
     * a session that takes its replies at once (a container agent), that it has it.
     */
    record Read(SessionId session, String digest) implements Outcome {}

    /** The session takes replies again after being blocked. */
    record Unblocked(SessionId session, Blocked was, Instant at) implements Outcome {}

    /** A hand-over failed; {@code before} is the block it was already under, if any. */
    record Failed(SessionId session, Optional<Blocked> before, Blocked now, RuntimeException cause) implements Outcome {
        /** A new block, or a block whose cause changed: worth telling. */
        boolean news() {
            return before.isEmpty() || !before.get().cause().equals(now.cause());
        }
    }

    /** Watches a session's dispatch directory so that its consumer's delete wakes the loop. */
    interface Watch {
        void register(Path dir) throws IOException;
    }

    private final Home home;
    private final Outbox outbox;
    private final Function<SessionId, DispatchTarget> targets;
    private final Clock clock;
    private final Watch watch;
    private final BiConsumer<TurnStep, String> reach;
    private final Map<SessionId, Blocked> blocked = new HashMap<>();
    /** The last hand-over to each session, the most recent last. */
    private final LinkedHashMap<SessionId, Instant> lastDispatch = new LinkedHashMap<>();
    private final Set<Path> watchedDirs = new HashSet<>();
    /** The reply each session was last handed and has not yet taken (its digest); read back from .input.json at start. */
    private final Map<SessionId, String> unread = new HashMap<>();
    private final Set<SessionId> labelsRead = new HashSet<>();

    Delivery(Home home, Outbox outbox, Function<SessionId, DispatchTarget> targets, Clock clock, Watch watch,
             BiConsumer<TurnStep, String> reach) {
        this.home = home;
        this.outbox = outbox;
        this.targets = targets;
        this.clock = clock;
        this.watch = watch;
        this.reach = reach;
    }

    List<Outcome> pump() {
        List<Outcome> outcomes = new ArrayList<>();
        Instant now = clock.instant();
        for (SessionId session : outbox.sessions()) {
            Blocked b = blocked.get(session);
            if (b != null && now.isBefore(b.retryAt())) {
                continue;
            }
            try {
                deliverWaiting(session, outcomes);
                if (b != null) {
                    blocked.remove(session);
                    outcomes.add(new Unblocked(session, b, clock.instant()));
                }
            } catch (RuntimeException e) {
                outcomes.add(block(session, b, e));
            }
        }
        return outcomes;
    }

    private void deliverWaiting(SessionId session, List<Outcome> outcomes) {
        DispatchTarget target = targets.apply(session);
        if (labelsRead.add(session)) {
            // a reply handed over before a restart: its label says which, so its reading is still told
            dev.relay.dispatch.InputLabel.read(home.inputLabelFile(session))
                    .filter(l -> java.nio.file.Files.exists(home.inputFile(session)))
                    .ifPresent(l -> unread.put(session, l.keyDigest()));
        }
        boolean busy = target.busy(session);
        if (!busy && unread.containsKey(session)) {
            outcomes.add(new Read(session, unread.remove(session)));
        }
        if (busy) {
            watchDispatchDir(session);   // its reader's taking the last reply is what lets the next one go
            return;
        }
        List<Outbox.Entry> pending = outbox.pending(session);
        if (pending.isEmpty()) {
            return;
        }
        watchDispatchDir(session);
        for (Outbox.Entry entry : pending) {
            reach.accept(TurnStep.DELIVERED, entry.keyDigest());
            if (!target.deliver(entry)) {
                break;
            }
            lastDispatch.remove(session);
            lastDispatch.put(session, clock.instant());
            outcomes.add(new Delivered(session, entry.keyDigest()));
            if (target.busy(session)) {
                unread.put(session, entry.keyDigest());   // told when its reader takes it
            } else {
                outcomes.add(new Read(session, entry.keyDigest()));
            }
        }
    }

    private Failed block(SessionId session, Blocked before, RuntimeException e) {
        Instant now = clock.instant();
        int failures = before == null ? 1 : before.failures() + 1;
        Blocked b = new Blocked(IoCause.of(e), before == null ? now : before.since(), failures,
                now.plus(RetryPolicy.sessionPause(failures)));
        blocked.put(session, b);
        return new Failed(session, Optional.ofNullable(before), b, e);
    }

    private void watchDispatchDir(SessionId session) {
        if (watchedDirs.contains(home.dispatchDir(session))) {
            return;
        }
        Path dir = Confined.check(home.root(), home.dispatchDir(session));
        AtomicFiles.ensurePrivateDirectory(dir);
        try {
            watch.register(dir);
            watchedDirs.add(home.dispatchDir(session));
        } catch (IOException e) {
            LOG.debug("cannot watch {}: {}; the periodic rescan covers it", dir, e.getMessage());
        }
    }

    /** What the loop tells of an outcome: a delivery, a session taking replies again, a new block (notified once). */
    static List<Effect> effects(Outcome outcome) {
        if (outcome instanceof Delivered d) {
            LOG.info("reply delivered to {}", d.session());
            return List.of(new Effect.Tell(new RelayEvent.ReplyDelivered(d.session())));
        }
        if (outcome instanceof Unblocked u) {
            LOG.info("session {} takes replies again (blocked {} s: {})", u.session(),
                    Duration.between(u.was().since(), u.at()).toSeconds(), u.was().cause());
            return List.of(new Effect.Tell(new RelayEvent.Problem("session " + u.session() + " takes replies again")));
        }
        if (!(outcome instanceof Failed f) || !f.news()) {
            return List.of();
        }
        String detail = IoFaults.detail(f.cause());
        String error = "session " + f.session() + " blocked: " + detail;
        LOG.warn("replies to {} cannot be handed over: {}; they wait (tried again with a pause), the other sessions go on",
                f.session(), detail);
        LOG.debug("the failure", f.cause());
        List<Effect> out = new ArrayList<>(List.of(new Effect.LastError(error), new Effect.Urgent(),
                new Effect.Tell(new RelayEvent.Problem(error))));
        if (f.before().isEmpty()) {
            out.add(new Effect.Alert(new Notification("Relay: session " + f.session() + " blocked",
                    "Its replies wait: " + detail, Notification.HIGH, List.of("warning"))));
        }
        return out;
    }

    Map<SessionId, Blocked> blocked() {
        return Collections.unmodifiableMap(blocked);
    }

    Optional<Instant> lastDispatchTo(SessionId session) {
        return Optional.ofNullable(lastDispatch.get(session));
    }

    /** The session handed a reply last, and when. */
    Optional<Map.Entry<SessionId, Instant>> lastDispatch() {
        Map.Entry<SessionId, Instant> last = null;
        for (Map.Entry<SessionId, Instant> e : lastDispatch.entrySet()) {
            last = e;
        }
        return Optional.ofNullable(last);
    }
}
