package dev.relay.relay;

import dev.relay.anthropic.CacheTtl;
import dev.relay.anthropic.Coordinator;
import dev.relay.anthropic.CoordinatorException;
import dev.relay.anthropic.CoordinatorReply;
import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.config.Price;
import dev.relay.config.Settings;
import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.notify.Notification;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open turn and its coordinator call: the user turn recorded, the call made (a summary first when the history
 * is over its cap) and tracked by id, its answer recorded once, its failure retried or held. Called on the loop's
 * thread; the call itself runs on {@code calls} and posts its {@link ApiDone} to the loop. Answers the {@link Effect}s
 * for the loop to tell or do, in order.
 */
final class TurnRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TurnRunner.class);

    /** What a call answered (a reply, a summary, a refusal or a crash), posted to the loop's inbox. */
    record ApiDone(long call, WorkItem item, boolean summary, CoordinatorReply reply, CoordinatorException failure,
                   RuntimeException crash, Instant startedAt) {}

    /**
     * What the settings and the secrets are now (a resume re-reads them); the price is looked up when needed (empty:
     * the model has none, and its turns are counted as unpriced).
     */
    record Context(Settings settings, Optional<Coordinator> coordinator, Supplier<Optional<Price>> price) {}

    private final ConversationStore conversation;
    private final Clock clock;
    private final Executor calls;
    private final Consumer<Object> post;
    private final BiConsumer<TurnStep, String> reach;
    private final CachePlanner cachePlanner = new CachePlanner();
    private final PromptMessages prompt = new PromptMessages();
    private RetryPolicy retryPolicy = RetryPolicy.jittered();
    private Retry retry = Retry.NONE;
    private WorkItem open;
    /** The id of the call in flight, 0 when none; a result answers only the call it belongs to. */
    private long inFlight;
    private long lastCallId;
    /** A reply (or summary) the coordinator gave that could not be recorded yet: recorded again, never asked again. */
    private ApiDone unrecorded;
    private double lastTurnCost;
    private CacheTtl lastTtl = CacheTtl.FIVE_MINUTES;

    /**
     * @param post   hands a call's {@link ApiDone} to the loop's thread
     * @param reach  called before each durable step (the loop's fault seam)
     */
    TurnRunner(ConversationStore conversation, Clock clock, Executor calls, Consumer<Object> post,
               BiConsumer<TurnStep, String> reach) {
        this.conversation = conversation;
        this.clock = clock;
        this.calls = calls;
        this.post = post;
        this.reach = reach;
    }

    void useRetryPolicy(RetryPolicy policy) {
        this.retryPolicy = policy;
    }

    Retry retry() {
        return retry;
    }

    Optional<WorkItem> open() {
        return Optional.ofNullable(open);
    }

    boolean callInFlight() {
        return inFlight != 0;
    }

    /** A call in flight or an answer not yet recorded: the next turn waits for this one. */
    boolean busy() {
        return inFlight != 0 || unrecorded != null;
    }

    Optional<ApiDone> unrecorded() {
        return Optional.ofNullable(unrecorded);
    }

    /** When the open turn's next attempt is due, while it waits for one. */
    Optional<Instant> retryAt(Instant now) {
        return open != null && inFlight == 0 && retry.waiting(now) ? Optional.of(retry.nextAttemptAt()) : Optional.empty();
    }

    double lastTurnCost() {
        return lastTurnCost;
    }

    CacheTtl lastTtl() {
        return lastTtl;
    }

    /** The unanswered turn found after a restart: it is called again. */
    void reopen(WorkItem item) {
        open = item;
    }

    void abandon() {
        open = null;
    }

    /** The operator resumed: no hold, no pause, the failure count starts again. */
    void resumed() {
        retry = retry.resumed();
    }

    /** An API key was found: a hold for the lack of one is lifted; true when there was one. */
    boolean keyFound() {
        if (!retry.heldFor(Retry.Hold.Kind.NO_API_KEY)) {
            return false;
        }
        retry = retry.unheld();
        return true;
    }

    /** Records the item's user turn (once) and makes its call, unless a hold stops it. */
    List<Effect> start(WorkItem item, Context ctx) {
        List<Effect> out = new ArrayList<>();
        if (!conversation.hasUserTurn(item.key())) {
            Turn user = item.userTurn(clock.instant());
            reach.accept(TurnStep.USER_RECORDED, item.key());
            // its envelope (or operator file) stays until the reply is recorded, whose sync covers this turn too
            conversation.appendUnsynced(user);
            out.add(new Effect.Tell(new RelayEvent.TurnRecorded(user)));
        }
        // A message cancelled or edited (`relay cancel`, `relay edit`) as its turn began: the command checks the journal
        // for this user turn after its rename, the loop checks the file after the append (there, and for an envelope
        // the text it was read with), so one of the two always sees the other: the command refuses and puts the file
        // back, or the turn is given up here and the message is taken again as it now is.
        for (WorkItem w : item.isBatch() ? item.members() : List.of(item)) {
            if (!stillAsRead(w)) {
                out.add(new Effect.Problem("the " + w.describe() + " was cancelled or changed as its turn began; the turn"
                        + " is given up"));
                return out;
            }
        }
        open = item;
        retry = retry.newTurn();
        if (!retry.held()) {
            call(item, ctx, out);
        }
        return out;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Whether the item's file is still there and, for an envelope, still holds the text the turn was read with. */
    static boolean stillAsRead(WorkItem w) {
        if (!w.file().getFileName().toString().endsWith(".json") || Turn.RELAY.equals(w.speaker())) {
            return java.nio.file.Files.exists(w.file());   // an operator's message, or a follow-up in the relay's words
        }
        try {
            return JSON.readTree(w.file().toFile()).path("content").asText("").equals(w.content());
        } catch (java.io.IOException e) {
            return false;   // gone (moved aside), or being replaced
        }
    }

    /** Calls the coordinator again for the open turn (its retry is due). */
    List<Effect> call(Context ctx) {
        List<Effect> out = new ArrayList<>();
        call(open, ctx, out);
        return out;
    }

    private void call(WorkItem item, Context ctx, List<Effect> out) {
        if (ctx.coordinator().isEmpty()) {
            Retry.Hold hold = new Retry.Hold(Retry.Hold.Kind.NO_API_KEY, "ANTHROPIC_API_KEY is not set: add it to "
                    + ctx.settings().home().envFile() + " (or the environment), then run `relay resume`");
            retry = retry.held(hold);
            out.add(new Effect.Stopped(hold.reason()));
            out.add(new Effect.Raise(new Inbox.Raise(Kind.RELAY_ERROR, Severity.HIGH, "relay_error", Optional.empty(),
                    "Relay stopped: no API key", hold.reason() + " (the envelopes wait in queue/)")));
            return;
        }
        Coordinator c = ctx.coordinator().get();
        Settings settings = ctx.settings();
        boolean summarize = Turns.needsSummary(settings, conversation);
        CoordinatorRequest request;
        if (summarize) {
            request = Turns.summaryRequest(settings, conversation.turns());
        } else {
            Turns.Planned planned = Turns.replyRequest(settings, conversation, prompt, cachePlanner,
                    ctx.price().get().orElseGet(() -> Turns.planningPrice(settings)), item.isBatch());
            lastTtl = planned.ttl();
            request = planned.request();
        }
        Instant started = clock.instant();
        if (!summarize) {
            cachePlanner.recordCall(started);
        }
        long call = ++lastCallId;
        inFlight = call;
        CompletableFuture.runAsync(() -> {
            try {
                post.accept(new ApiDone(call, item, summarize, c.complete(request), null, null, started));
            } catch (CoordinatorException e) {
                post.accept(new ApiDone(call, item, summarize, null, e, null, started));
            } catch (RuntimeException e) {
                post.accept(new ApiDone(call, item, summarize, null, null, e, started));
            }
        }, calls);
    }

    /** Takes a call's result off the call in flight; false (and dropped) when it is not that call's. */
    boolean settle(ApiDone done) {
        if (done.call() != inFlight) {
            LOG.warn("a coordinator result for a call no longer in flight was dropped ({})", done.item().describe());
            return false;
        }
        inFlight = 0;
        return true;
    }

    /** What a settled call's result leads to: its answer recorded, or its failure retried or held. */
    List<Effect> answer(ApiDone done, Context ctx) {
        if (done.failure() != null || done.crash() != null) {
            return failed(done);
        }
        retry = retry.succeeded();
        return record(done, ctx);
    }

    /**
     * Records what the coordinator answered: a summary replaces the history and the turn is called again; a reply is
     * appended (once) and answered for the loop to finish. When the history cannot be written, the answer is kept and
     * recorded again (by the next steps), never asked for again: one call, one assistant turn.
     */
    List<Effect> record(ApiDone done, Context ctx) {
        unrecorded = done;
        Usage usage = Turns.usageOf(done.reply(), ctx.price().get());
        List<Effect> out = new ArrayList<>();
        if (done.summary()) {
            long before = conversation.chars();
            Turns.Compaction compaction = Turns.compact(conversation.turns(), ctx.settings().keepRecentTurns(),
                    done.reply().text(), usage, clock.instant(), conversation::chargesOf);
            conversation.replaceAll(compaction.turns());
            LOG.info("history summarized: {} turns replaced, {} -> {} characters", compaction.replaced(), before,
                    conversation.chars());
            out.add(new Effect.Tell(new RelayEvent.HistorySummarized(compaction.replaced(), before, conversation.chars())));
            out.add(new Effect.Summarized(usage, clock.instant()));
            unrecorded = null;
            call(done.item(), ctx, out);
            return out;
        }
        String key = done.item().key();
        Optional<Turn> recorded = conversation.assistantTurn(key);
        Turn assistant;
        if (recorded.isPresent()) {
            assistant = recorded.get();
        } else {
            String text = done.reply().text();
            if (done.item().isBatch() && !done.reply().calls().isEmpty()) {
                assistant = Turn.answers(key, clock.instant(), usage, Turns.answers(done.item(), done.reply().calls()));
                assistant.answers().stream().filter(a -> !a.delivered()).forEach(a -> LOG.warn(
                        "the coordinator answered session \"{}\", which is not in {}: recorded, not sent", a.session(),
                        done.item().describe()));
            } else {
                if (text.isBlank()) {
                    LOG.warn("the coordinator's reply to {} is empty (stop reason {})", done.item().describe(),
                            done.reply().stopReason());
                }
                assistant = Turn.assistant(text.isBlank() && done.item().isBatch() ? "(no answer)" : text, key,
                        clock.instant(), usage);
            }
            assistant = assistant.chargedTo(Turns.charges(done.item(), usage.costUsd()));
            reach.accept(TurnStep.REPLY_RECORDED, key);
            conversation.append(assistant);
            out.add(new Effect.Tell(new RelayEvent.TurnRecorded(assistant)));
            LOG.info("turn for {} answered in {} ms ({} in, {} cached, {} out, ${})", done.item().describe(),
                    Duration.between(done.startedAt(), clock.instant()).toMillis(), usage.inputTokens(),
                    usage.cacheReadTokens(), usage.outputTokens(), String.format("%.4f", usage.costUsd()));
        }
        unrecorded = null;
        lastTurnCost = usage.costUsd();
        open = null;
        retry = retry.newTurn();
        out.add(new Effect.Answered(done.item(), assistant));
        return out;
    }

    private List<Effect> failed(ApiDone done) {
        CoordinatorException e = done.failure();
        String message = e != null ? e.getMessage() : "internal error: " + done.crash();
        if (done.crash() != null) {
            LOG.error("the coordinator call crashed", done.crash());
        }
        List<Effect> out = new ArrayList<>();
        out.add(new Effect.LastError(message));
        RetryPolicy.Decision decision = retryPolicy.afterFailure(retry, e == null || e.retryable(),
                e == null ? Optional.empty() : e.retryAfter(), message, clock.instant());
        retry = decision.next();
        if (decision.refused()) {
            out.add(new Effect.Stopped("the API refused the call: " + message + " (the envelope is kept; fix it, then `relay resume`)"));
            out.add(new Effect.Raise(new Inbox.Raise(Kind.RELAY_ERROR, Severity.HIGH, "relay_error", Optional.empty(),
                    "Relay stopped: API error", message + " (the envelope is kept; fix it, then resume)")));
            LOG.error("API refused the turn for {}: {}; holding until `relay resume`", done.item().describe(), message);
            return out;
        }
        if (decision.backingOff()) {
            out.add(new Effect.Stopped("API failing (" + retry.consecutiveFailures() + " in a row): " + retry.detail()));
            if (decision.startsBackoff()) {
                out.add(new Effect.Alert(new Notification("Relay backing off", message, Notification.HIGH, List.of("warning"))));
            }
        }
        LOG.warn("API call for {} failed (attempt {}): {}; {}", done.item().describe(), retry.attempts(), message,
                retry.detail());
        return out;
    }
}
