package dev.relay.relay;

import dev.relay.anthropic.CacheTtl;
import dev.relay.claude.SessionRecord;
import dev.relay.config.Settings;
import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import dev.relay.core.SessionId;
import dev.relay.state.PauseFile;
import dev.relay.state.RelayState;
import dev.relay.spend.SpendBook;
import dev.relay.spend.Standing;
import dev.relay.state.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The status (status.json, the console's header) as a pure function of what the loop knows at one instant. */
final class StatusBuilder {
    /** One session's line: what waits for it, what it last did, what stops it. */
    record SessionFacts(SessionId id, int pending, boolean inputWaiting, Instant lastReportAt, Instant lastDispatchAt,
                        SessionRecord.Failure failure, Delivery.Blocked blocked, double costUsd) {}

    /** Everything the status says, gathered by the loop. */
    record Facts(long pid, Instant startedAt, Instant now, Settings settings, PauseFile.Pause pause, Retry retry,
                 boolean callInFlight, boolean turnOpen, boolean ioFailing, String ioCause,
                 Optional<SessionId> lastDispatchSession, Instant lastDispatchAt, int queueDepth,
                 Optional<Instant> oldestQueued, int rejected, long historyChars, int historyTurns, Usage total,
                 double lastTurnCost, CacheTtl lastTtl, boolean apiKeyPresent, String lastError,
                 List<SessionFacts> sessions, Optional<Status.LastTurn> lastTurn, Status.Spend spend) {
        Facts {
            sessions = List.copyOf(sessions);
        }
    }

    private StatusBuilder() {}

    /** The sessions a status lists: configured, with replies waiting, that reported, or that failed; sorted. */
    static Set<SessionId> sessions(Settings settings, Collection<SessionId> withReplies, Collection<SessionId> reported,
                                   Collection<SessionId> failed) {
        Set<SessionId> sessions = new TreeSet<>();
        settings.sessions().forEach(s -> sessions.add(s.id()));
        sessions.addAll(withReplies);
        sessions.addAll(reported);
        sessions.addAll(failed);
        return sessions;
    }

    /** The relay's state: a pause first, then an error (a hold, an API failing, the files failing), else running. */
    static RelayState state(PauseFile.Pause pause, Retry retry, boolean ioFailing) {
        if (pause.state() == RelayState.NEEDS_JC || pause.state() == RelayState.PAUSED) {
            return pause.state();
        }
        if (retry.held() || retry.consecutiveFailures() >= RetryPolicy.FAILURES_BEFORE_BACKOFF || ioFailing) {
            return RelayState.ERROR;
        }
        return RelayState.RUNNING;
    }

    static Status build(Facts f) {
        Settings settings = f.settings();
        List<Status.SessionStatus> lines = new ArrayList<>();
        int waiting = 0;
        for (SessionFacts s : f.sessions()) {
            waiting += s.pending();
            String kind = settings.session(s.id()).map(c -> c.kind().wire()).orElse("file");
            Delivery.Blocked b = s.blocked();
            lines.add(new Status.SessionStatus(s.id().value(), kind, s.pending(), s.inputWaiting(), str(s.lastReportAt()),
                    str(s.lastDispatchAt()), s.failure() == null ? null : s.failure().describe(),
                    s.failure() == null ? null : s.failure().at(), b == null ? null : b.cause(), b == null ? null : str(b.since()),
                    s.costUsd()));
        }
        Instant now = f.now();
        Retry retry = f.retry();
        RelayState state = state(f.pause(), retry, f.ioFailing());
        String detail = switch (state) {
            case PAUSED -> "paused by the operator: `relay resume` to go on";
            case NEEDS_JC -> "waiting for JC: answer with an override, or `relay resume`";
            case ERROR -> retry.hold().isPresent() ? retry.hold().get().reason()
                    : f.ioFailing() ? "cannot write its files: " + f.ioCause() + " (retrying)" : retry.detail();
            case RUNNING -> f.callInFlight() ? "waiting for the coordinator" : f.turnOpen() ? retry.detail() : "idle";
        };
        long oldestAge = f.oldestQueued().map(at -> Math.max(0, Duration.between(at, now).toSeconds())).orElse(0L);
        Usage total = f.total();
        return new Status(f.pid(), f.startedAt().toString(), now.toString(), state, detail, settings.model(),
                f.pause().lastNeedsJcAt(), f.pause().lastNeedsJcText(), str(f.lastDispatchAt()),
                f.lastDispatchSession().map(SessionId::value).orElse(null), f.queueDepth(), oldestAge, waiting, f.rejected(),
                f.historyChars(), f.historyTurns(), total.inputTokens(), total.outputTokens(), total.cacheCreationTokens(),
                total.cacheReadTokens(), total.costUsd(), f.lastTurnCost(), ttlWord(f.lastTtl()),
                f.turnOpen() && !f.callInFlight() && retry.waiting(now) ? retry.nextAttemptAt().toString() : null,
                f.apiKeyPresent(), settings.coordinatorMode().effective(f.apiKeyPresent()).wire(), settings.ntfyUrl(), f.lastError(), lines, f.lastTurn().orElse(null),
                f.spend());
    }

    /**
     * The last turn the coordinator answered, from the end of the history: the user turn before the last reply, its
     * reports (a batch's, or the one report of a plain turn) and which of them that reply answered.
     */
    static Optional<Status.LastTurn> lastTurn(List<Turn> turns) {
        for (int j = turns.size() - 1; j > 0; j--) {
            Turn reply = turns.get(j);
            if (reply.role() != Turn.Role.ASSISTANT) {
                continue;
            }
            Turn asked = turns.get(j - 1);
            if (asked.role() != Turn.Role.USER) {
                return Optional.empty();
            }
            List<Status.Report> reports = new ArrayList<>();
            if (asked.isBatch()) {
                for (Turn.Report r : asked.reports()) {
                    boolean replied = reply.answers().stream().anyMatch(a -> a.delivered() && a.session().equals(r.session()));
                    reports.add(new Status.Report(r.session(), r.key(), str(r.at()), replied));
                }
            } else if (asked.speaker().equals(Turn.RELAY) && asked.key().startsWith(WorkItem.FOLLOW_UP_PREFIX)) {
                reports.add(followedUp(turns, j - 1, asked.key().substring(WorkItem.FOLLOW_UP_PREFIX.length())));
            } else {
                reports.add(new Status.Report(asked.speaker(), asked.key(), str(asked.at()), true));
            }
            return Optional.of(new Status.LastTurn(str(reply.at()), reports));
        }
        return Optional.empty();
    }

    /** The report a follow-up turn asked for again: found in the batch before it that left it out. */
    private static Status.Report followedUp(List<Turn> turns, int before, String reportKey) {
        for (int i = before - 1; i >= 0; i--) {
            for (Turn.Report r : turns.get(i).reports()) {
                if (r.key().equals(reportKey)) {
                    return new Status.Report(r.session(), r.key(), str(r.at()), true);
                }
            }
        }
        return new Status.Report(Turn.RELAY, reportKey, null, true);   // its batch summarized away
    }

    /** How many past days the status lists. */
    static final int DAYS_SHOWN = 7;

    /** Today's spend, line by line, with the budgets as they stand and the last days' totals. */
    static Status.Spend spend(SpendBook book, List<Standing> standings, Settings settings, Instant now) {
        SpendBook.Day today = book.day(now);
        List<Status.SpendLine> lines = new ArrayList<>();
        today.lines().forEach((who, l) -> lines.add(new Status.SpendLine(who, lineKind(settings, who), l.coordinatorUsd(),
                l.agentUsd(), l.totalUsd(), l.turns(), l.agentResults())));
        lines.sort(java.util.Comparator.comparingDouble(Status.SpendLine::totalUsd).reversed()
                .thenComparing(Status.SpendLine::who));
        List<Status.Budget> budgets = standings.stream().map(s -> new Status.Budget(s.scope(), s.session().orElse(null),
                s.spentUsd(), s.limitUsd(), s.level().wire(), s.stops(), s.onceLeft())).toList();
        List<Status.DayTotal> days = book.recent(DAYS_SHOWN).stream().map(d -> new Status.DayTotal(d.date().toString(),
                d.totalUsd(), d.coordinatorUsd(), d.agentsUsd(), share(d.tokens()))).toList();
        return new Status.Spend(today.date().toString(), book.zone().getId(), today.totalUsd(), today.coordinatorUsd(),
                today.agentsUsd(), share(today.tokens()), today.unpricedTurns(), today.cacheMisses(), lines, budgets, days);
    }

    private static Double share(SpendBook.Tokens t) {
        java.util.OptionalDouble s = t.cacheHitShare();
        return s.isPresent() ? s.getAsDouble() : null;
    }

    private static String lineKind(Settings settings, String who) {
        if (Turn.OPERATOR.equals(who)) {
            return "operator";
        }
        if (Turn.SUMMARY_CHARGE.equals(who)) {
            return "summaries";
        }
        if (!SessionId.isValid(who)) {
            return "other";
        }
        return settings.session(SessionId.of(who)).map(c -> c.kind().wire()).orElse("file");
    }

    /** The status's word for the cache lifetime: as on the wire, and "none" when the history is not cached. */
    private static String ttlWord(CacheTtl ttl) {
        return ttl == CacheTtl.NONE ? "none" : ttl.wire();
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}
