package dev.relay.tui;

import dev.relay.conversation.Turn;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.HomeSnapshot.LogLine;
import dev.relay.monitor.HomeSnapshot.QueuedItem;
import dev.relay.monitor.HomeSnapshot.WaitingReply;
import dev.relay.queue.Rejection;
import dev.relay.state.AgentState;
import dev.relay.state.RelayState;
import dev.relay.state.Status;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The panes' contents as pure functions from a snapshot to lines: tested without a terminal. */
public final class Panes {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DAY_CLOCK = DateTimeFormatter.ofPattern("MMM d HH:mm").withZone(ZoneId.systemDefault());

    private Panes() {}

    // ---- queue ---------------------------------------------------------------------------------------------

    public static List<Line> queue(HomeSnapshot s, int width, Instant now) {
        List<Line> out = new ArrayList<>();
        if (s.queueTotal() == 0 && s.waiting().isEmpty() && s.rejectedTotal() == 0) {
            out.add(Line.of(Style.DIM, "Nothing waiting. Agents drop envelopes into queue/ (or use `relay send`)."));
            Optional<Status> st = s.status().filter(x -> s.relayLive() && "operator".equals(x.coordinator()));
            if (st.isPresent() && st.get().historyTurns() == 0 && !st.get().apiKeyPresent()) {
                // a fresh home with no key: the two ways to go on
                out.add(Line.of(Style.NORMAL, ""));
                out.add(Line.of(Style.HEADING, "No ANTHROPIC_API_KEY yet. Two ways to go on:"));
                for (String l : Text.wrap("1. Coordinate yourself: each report becomes an inbox item (i); answer it there, with"
                        + " `relay answer CODE TEXT`, or from the phone. Your answer is the reply the agent gets.", Math.max(10, width))) {
                    out.add(Line.of(Style.NORMAL, l));
                }
                for (String l : Text.wrap("2. Add ANTHROPIC_API_KEY=sk-ant-... to .env in the relay's home: within ten"
                        + " seconds the model takes over, with everything answered so far as its history.", Math.max(10, width))) {
                    out.add(Line.of(Style.NORMAL, l));
                }
            }
            return out;
        }
        s.pendingOverride().ifPresent(o -> out.add(Line.of(Style.OPERATOR, "JC override waiting: ").then(Style.NORMAL, o)));
        out.add(Line.of(Style.HEADING, "Envelopes waiting: " + s.queueTotal()));
        for (QueuedItem q : s.queue()) {
            Style who = q.session().equals("?") ? Style.WARN : Style.AGENT;
            out.add(Line.of(who, String.format("%-12s", Text.fit(q.session(), 12)))
                    .then(Style.DIM, String.format(" %4s %6s ", Text.age(Duration.between(q.modifiedAt(), now)), Text.bytes(q.size())))
                    .then(Style.NORMAL, q.preview()));
        }
        if (s.queueTotal() > s.queue().size()) {
            out.add(Line.of(Style.DIM, "… and " + (s.queueTotal() - s.queue().size()) + " more"));
        }
        if (!s.waiting().isEmpty()) {
            out.add(Line.of(Style.HEADING, "Replies waiting for their session:"));
            for (WaitingReply w : s.waiting()) {
                String what = (w.count() > 0 ? w.count() + " held" : "")
                        + (w.inputPending() ? (w.count() > 0 ? ", " : "") + "input.txt unread" : "");
                out.add(Line.of(Style.AGENT, String.format("→ %-10s", Text.fit(w.session(), 10)))
                        .then(Style.DIM, " " + what + "  ").then(Style.NORMAL, w.preview()));
            }
        }
        if (s.rejectedTotal() > 0) {
            out.add(Line.of(Style.HEADING, "Rejected (queue/.rejected/): " + s.rejectedTotal()));
            for (Rejection r : s.rejected()) {
                out.add(Line.of(Style.ERROR, "✗ " + r.name()).then(Style.DIM, "  " + r.reason()));
            }
        }
        return out;
    }

    // ---- conversation --------------------------------------------------------------------------------------

    public static List<Line> conversation(List<Turn> turns, int width) {
        List<Line> out = new ArrayList<>();
        if (turns.isEmpty()) {
            out.add(Line.of(Style.DIM, "No conversation yet: the first envelope starts it."));
            return out;
        }
        for (Turn t : turns) {
            appendTurn(out, t, width);
        }
        return out;
    }

    static void appendTurn(List<Line> out, Turn t, int width) {
        String when = CLOCK.format(t.at());
        Line head = switch (t.role()) {
            case USER -> t.fromOperator()
                    ? Line.of(Style.OPERATOR, "JC (operator)").then(Style.DIM, "  " + when)
                    : t.isBatch()
                    ? Line.of(Style.AGENT, t.reports().size() + " reports together: " + String.join(", ",
                            t.reports().stream().map(Turn.Report::session).toList())).then(Style.DIM, "  " + when)
                    : Line.of(Style.AGENT, t.speaker().equals(Turn.RELAY) ? "relay (follow-up)" : t.speaker())
                            .then(Style.DIM, "  " + when);
            case ASSISTANT -> Turn.OPERATOR.equals(t.speaker())
                    ? Line.of(Style.OPERATOR, "JC (answering as the coordinator)").then(Style.DIM, "  " + when)
                    : Line.of(Style.COORDINATOR, "coordinator").then(Style.DIM, "  " + when
                    + (t.usage().outputTokens() > 0 ? "  " + Text.count(t.usage().outputTokens()) + " tokens out" : ""));
            case SUMMARY -> Line.of(Style.SUMMARY, "summary of the earlier conversation").then(Style.DIM, "  " + when);
        };
        out.add(head);
        Style body = t.role() == Turn.Role.SUMMARY ? Style.SUMMARY : Style.NORMAL;
        for (String l : Text.wrapText(t.content(), Math.max(10, width - 2))) {
            out.add(Line.of(body, "  " + l));
        }
        out.add(Line.EMPTY);
    }

    // ---- logs ----------------------------------------------------------------------------------------------

    public static List<Line> log(List<LogLine> log, int width) {
        List<Line> out = new ArrayList<>();
        if (log.isEmpty()) {
            out.add(Line.of(Style.DIM, "The relay's log is empty."));
            return out;
        }
        for (LogLine l : log) {
            Style st = l.error() ? Style.WARN : Style.NORMAL;
            for (String part : Text.wrap(compact(l.text()), Math.max(10, width))) {
                out.add(Line.of(st, part));
            }
        }
        return out;
    }

    private static final Pattern LOG_LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT(\\d\\d:\\d\\d:\\d\\d)\\.\\d+\\S*\\s+(\\w+)\\s+\\[[^\\]]*\\]\\s+[^:]+:\\s(.*)$");

    /** "2026-11-23T07:46:50.410Z INFO  [main] RelayLoop: started" shown as "07:46:50 started" (level kept if not INFO). */
    static String compact(String logLine) {
        Matcher m = LOG_LINE.matcher(logLine);
        if (!m.matches()) {
            return logLine;
        }
        return m.group(1) + " " + ("INFO".equals(m.group(2)) ? "" : m.group(2) + " ") + m.group(3);
    }

    /**
     * An agent's traffic, for a file session attached in the logs pane: its reports, the coordinator's replies to
     * them, direct messages, and what waits for it.
     */
    public static List<Line> agent(HomeSnapshot s, String session, int width, Instant now) {
        List<Line> out = new ArrayList<>();
        if (s.agentStates().containsKey(session)) {
            // a container agent: its own output, stderr told apart
            out.add(Line.of(Style.HEADING, "agent " + session + ": " + s.agentStates().get(session).words()));
            if (s.agentLog().isEmpty()) {
                out.add(Line.of(Style.DIM, "No output yet (" + Home.agentLogPath(SessionId.of(session)) + ")."));
            }
            for (LogLine l : s.agentLog()) {
                for (String part : Text.wrap(l.text(), Math.max(10, width))) {
                    out.add(Line.of(l.error() ? Style.WARN : Style.NORMAL, part));
                }
            }
            return out;
        }
        Set<String> keys = new HashSet<>();
        for (Turn t : s.turns()) {
            if (t.role() == Turn.Role.USER && (t.speaker().equals(session)
                    || t.reports().stream().anyMatch(r -> r.session().equals(session)))) {
                keys.add(t.key());
                appendTurn(out, t, width);
            } else if (t.role() == Turn.Role.ASSISTANT && keys.contains(t.key())) {
                appendTurn(out, t, width);
            }
        }
        String prefix = "[" + session + "]";
        for (LogLine l : s.log()) {
            if (l.text().contains(" to " + session) || l.text().contains(prefix) || l.text().contains("session " + session)) {
                for (String part : Text.wrap(compact(l.text()), Math.max(10, width))) {
                    out.add(Line.of(l.error() ? Style.WARN : Style.DIM, part));
                }
            }
        }
        s.waiting().stream().filter(w -> w.session().equals(session)).findFirst().ifPresent(w -> out.add(
                Line.of(Style.HEADING, "waiting for " + session + ": ").then(Style.NORMAL,
                        (w.count() > 0 ? w.count() + " repl" + (w.count() == 1 ? "y" : "ies") + " held" : "")
                                + (w.inputPending() ? (w.count() > 0 ? "; " : "") + "dispatch/" + session + "/input.txt not yet read" : ""))));
        long queued = s.queue().stream().filter(q -> q.session().equals(session)).count();
        if (queued > 0) {
            out.add(Line.of(Style.HEADING, queued + " envelope" + (queued == 1 ? "" : "s") + " from " + session + " queued"));
        }
        if (out.isEmpty()) {
            out.add(Line.of(Style.DIM, "Nothing from or to " + session + " yet."));
        }
        return out;
    }

    // ---- status --------------------------------------------------------------------------------------------

    public static List<Line> status(HomeSnapshot s, ConsoleHost host, int width, Instant now) {
        List<Line> out = new ArrayList<>();
        Optional<Status> st = s.status();
        String state = s.state();
        Optional<RelayState> live = s.relayState();
        Style stateStyle = !s.relayLive() ? Style.ERROR : live.map(r -> switch (r) {
            case RUNNING -> Style.OK;
            case PAUSED -> Style.PAUSED;
            case NEEDS_JC -> Style.NEEDS_JC;
            case ERROR -> Style.ERROR;
        }).orElse(Style.WARN);
        String who = !s.relayLive()
                ? (st.isPresent() ? "  no relay running (last seen " + ago(st.get().heartbeatAt(), now) + " ago)" : "  no relay has run here")
                : host == ConsoleHost.IN_PROCESS ? "  pid " + st.get().pid() + ", this console"
                : "  attached to pid " + st.get().pid();
        out.add(Line.of(stateStyle, "● " + state.toUpperCase(Locale.ROOT).replace('_', '-')).then(Style.DIM, who));
        if (st.isEmpty()) {
            return out;
        }
        Status x = st.get();
        if (s.needsJc()) {
            out.add(Line.of(Style.NEEDS_JC, "The coordinator needs you" + (x.lastNeedsJcAt() == null ? "" : " (" + ago(x.lastNeedsJcAt(), now) + " ago)") + ":"));
            for (String l : Text.wrapText(x.lastNeedsJcText() == null ? "" : x.lastNeedsJcText(), Math.max(10, width - 2))) {
                out.add(Line.of(Style.NEEDS_JC, "  " + l));
            }
            out.add(Line.of(Style.NEEDS_JC, "o: answer as JC · r: resume without answering"));
        } else if (x.stateDetail() != null && !x.stateDetail().isBlank() && !live.equals(Optional.of(RelayState.RUNNING))) {
            for (String l : Text.wrap(x.stateDetail(), Math.max(10, width))) {
                out.add(Line.of(Style.DIM, l));
            }
        }
        s.agentRuntimeProblem().ifPresent(problem -> {
            for (String l : Text.wrap("agents: " + problem + " (file sessions go on)", Math.max(10, width))) {
                out.add(Line.of(Style.ERROR, l));
            }
        });
        if ("operator".equals(x.coordinator())) {
            long reports = s.inbox().open().stream().filter(i -> i.kind() == dev.relay.inbox.Kind.REPORT).count();
            out.add(Line.of(Style.WARN, "coordinator: you").then(Style.DIM, reports == 0 ? " · no report waits"
                    : " · " + reports + " report" + (reports == 1 ? "" : "s") + " to answer (i)"));
            out.add(Line.of(Style.DIM, x.apiKeyPresent() ? "config.yaml says coordinator: operator"
                    : "add ANTHROPIC_API_KEY to .env: the model takes over"));
        } else if (!x.apiKeyPresent()) {
            out.add(Line.of(Style.ERROR, "ANTHROPIC_API_KEY missing: envelopes wait"));
        }
        out.add(Line.of(Style.DIM, "model ").then(Style.NORMAL, nz(x.model()))
                .then(Style.DIM, "  cache ").then(Style.NORMAL, nz(x.cacheTtl())));
        out.add(Line.of(Style.DIM, "queue ").then(Style.NORMAL, Integer.toString(x.queueDepth()))
                .then(Style.DIM, x.queueDepth() > 0 ? " (oldest " + Text.age(Duration.ofSeconds(x.oldestEnvelopeAgeS())) + ")" : "")
                .then(Style.DIM, "  held ").then(Style.NORMAL, Integer.toString(x.repliesWaiting()))
                .then(Style.DIM, "  rejected ").then(x.rejectedCount() > 0 ? Style.WARN : Style.NORMAL, Integer.toString(x.rejectedCount())));
        long in = x.totalInputTokens() + x.totalCacheCreationTokens() + x.totalCacheReadTokens();
        String hit = in == 0 ? "-" : Math.round(100.0 * x.totalCacheReadTokens() / in) + "%";
        out.add(Line.of(Style.DIM, "tokens ").then(Style.NORMAL, Text.count(in)).then(Style.DIM, " in ")
                .then(Style.NORMAL, Text.count(x.totalOutputTokens())).then(Style.DIM, " out  cache hit ")
                .then(Style.NORMAL, hit));
        out.add(Line.of(Style.DIM, "cost ").then(Style.NORMAL, String.format("$%.4f", x.totalCostUsd()))
                .then(Style.DIM, "  last turn ").then(Style.NORMAL, String.format("$%.4f", x.lastTurnCostUsd())));
        out.add(Line.of(Style.DIM, "history ").then(Style.NORMAL, Text.count(x.historyChars()) + " chars, " + x.historyTurns() + " turns"));
        if (x.ntfyUrl() != null && !x.ntfyUrl().isBlank()) {
            out.add(Line.of(Style.DIM, "ntfy ").then(Style.NORMAL, x.ntfyUrl()));
        }
        if (s.relayLive()) {
            s.inbox().phoneUnreachableSince().ifPresent(since -> {
                int waiting = s.inbox().pushesWaiting();
                String text = "phone unreachable since " + HOUR_MINUTE.format(since)
                        + s.inbox().phoneError().map(e -> " (" + e + ")").orElse("")
                        + (waiting > 0 ? ": " + waiting + (waiting == 1 ? " notification waits" : " notifications wait") : "");
                for (String l : Text.wrap(text, Math.max(10, width))) {
                    out.add(Line.of(Style.ERROR, l));
                }
            });
        }
        if (x.nextAttemptAt() != null && !x.nextAttemptAt().isBlank()) {
            out.add(Line.of(Style.WARN, "next attempt in " + until(x.nextAttemptAt(), now)));
        }
        if (x.lastError() != null && !x.lastError().isBlank()) {
            // the last error stays in status.json after the relay recovered: shown quietly unless it still holds
            boolean current = live.equals(Optional.of(RelayState.ERROR)) || (x.nextAttemptAt() != null && !x.nextAttemptAt().isBlank());
            for (String l : Text.wrap("last error: " + x.lastError(), Math.max(10, width))) {
                out.add(Line.of(current ? Style.ERROR : Style.DIM, l));
            }
        }
        if (!x.sessions().isEmpty()) {
            out.add(Line.of(Style.HEADING, "Sessions"));
            for (Status.SessionStatus ss : x.sessions()) {
                out.add(sessionLine(ss, s, now));
            }
        }
        return out;
    }

    private static Line sessionLine(Status.SessionStatus ss, HomeSnapshot s, Instant now) {
        long queued = s.queue().stream().filter(q -> q.session().equals(ss.id())).count();
        String state;
        Style style;
        if (queued > 0) {
            state = queued + " queued";
            style = Style.WARN;
        } else if (ss.repliesWaiting() > 0 || ss.inputPending()) {
            state = "reply not yet read" + (ss.repliesWaiting() > 0 ? " (+" + ss.repliesWaiting() + " held)" : "");
            style = Style.PAUSED;
        } else {
            state = "idle";
            style = Style.DIM;
        }
        AgentState agent = s.agentStates().get(ss.id());
        if (agent != null && queued == 0 && ss.repliesWaiting() == 0) {
            state = "agent " + agent.words();
            style = switch (agent) {
                case RUNNING -> Style.OK;
                case BACKOFF, UNAVAILABLE -> Style.ERROR;
                default -> Style.DIM;
            };
        }
        if (ss.failure() != null) {
            state = "failed: " + ss.failure();
            style = Style.ERROR;
        }
        if (ss.blocked() != null) {
            state = "blocked: " + ss.blocked() + (ss.repliesWaiting() > 0 ? " (" + ss.repliesWaiting() + " waiting)" : "");
            style = Style.ERROR;
        }
        String last = ss.lastReportAt() == null ? "" : "  reported " + ago(ss.lastReportAt(), now) + " ago";
        return Line.of(Style.AGENT, String.format("  %-12s", Text.fit(ss.id(), 12)))
                .then(Style.DIM, String.format("%-12s", ss.kind())).then(style, state).then(Style.DIM, last);
    }

    /** The kind of a session as status.json gives it ("file" when it does not name it). */
    static String kind(HomeSnapshot s, String session) {
        return s.status().flatMap(st -> st.sessions().stream().filter(x -> x.id().equals(session)).findFirst())
                .map(Status.SessionStatus::kind).orElse("file");
    }

    private static String nz(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }

    static String ago(String isoInstant, Instant now) {
        try {
            Instant t = Instant.parse(isoInstant);
            Duration d = Duration.between(t, now);
            return d.toDays() >= 1 ? DAY_CLOCK.format(t) : Text.age(d);
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String until(String isoInstant, Instant now) {
        try {
            return Text.age(Duration.between(now, Instant.parse(isoInstant)));
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
