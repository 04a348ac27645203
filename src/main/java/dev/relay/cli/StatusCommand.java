package dev.relay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Home;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.queue.QueueDirectory;
import dev.relay.state.HomeLock;
import dev.relay.state.RelayState;
import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows whether a relay is running in this home, its state, queue, sessions, tokens and cost.",
            "Reads state/status.json (written by the relay every second) and the queue directory."})
final class StatusCommand extends HomeCommand {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--json", description = "Print JSON (status.json's fields, plus \"running\" and \"home\").")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Home home = home();
        Instant now = Instant.now();
        Optional<Status> status = new StatusFile(home.statusFile()).read();
        boolean live = status.map(s -> StatusFile.isLive(s, now)).orElse(false);
        // a relay that cannot write its status (a full disk) still holds the home's lock: it runs, and says nothing new
        boolean stale = !live && HomeLock.isHeld(home.lockFile());
        boolean running = live || stale;
        QueueDirectory queue = new QueueDirectory(home.queueDir(), Long.MAX_VALUE, Clock.systemUTC());
        List<QueueDirectory.Entry> entries = queue.list();
        if (json) {
            ObjectNode node = status.isPresent() ? JSON.valueToTree(status.get()) : JSON.createObjectNode();
            node.put("running", running);
            node.put("home", home.root().toString());
            node.put("queue_depth", entries.size());
            node.put("status_stale", stale);
            Inbox.Data inbox = new Inbox(home.inboxFile(), Clock.systemUTC()).read();
            ObjectNode items = node.putObject("inbox");
            items.put("open", inbox.open().size());
            items.put("not_acknowledged", inbox.waiting());
            ObjectNode phone = node.putObject("phone");
            phone.put("unreachable_since", inbox.phoneUnreachableSince().map(Instant::toString).orElse(null));
            phone.put("last_error", inbox.phoneError().orElse(null));
            phone.put("notifications_waiting", inbox.pushesWaiting());
            if (!running) {
                node.put("state", "stopped");
            }
            out().println(JSON.writeValueAsString(node));
            return ExitCodes.OK;
        }
        PrintWriter out = out();
        if (stale) {
            out.printf("Relay in %s: running (it holds the home's lock), but not telling: %s%n", home.root(),
                    status.map(s -> "its status was last written " + human(Duration.between(Instant.parse(s.heartbeatAt()), now))
                            + " ago (pid " + s.pid() + ")").orElse("it has written no status"));
            out.printf("            It cannot write %s: is the disk full (df %s) or the directory read-only? See %s.%n",
                    home.statusFile(), home.root(), home.logFile());
        }
        if (status.isEmpty()) {
            if (!stale) {
                out.printf("Relay in %s: not running (no relay has run here yet)%n", home.root());
            }
            out.printf("Queue:      %d envelope%s waiting%n", entries.size(), entries.size() == 1 ? "" : "s");
            if (!stale) {
                out.println("Start one with `relay run` (or `relay init` first to create config.yaml and .env).");
            }
            return ExitCodes.OK;
        }
        Status s = status.get();
        if (stale) {
            out.printf("State:      %s when last written%s%n", s.stateWord(), s.stateDetail() == null ? "" : " - " + s.stateDetail());
        } else if (running) {
            out.printf("Relay in %s: running (pid %d, up %s)%n", home.root(), s.pid(),
                    human(Duration.between(Instant.parse(s.startedAt()), now)));
            out.printf("State:      %s%s%n", s.stateWord(), s.stateDetail() == null ? "" : " - " + s.stateDetail());
        } else {
            out.printf("Relay in %s: not running (last seen %s ago, pid %d)%n", home.root(),
                    human(Duration.between(Instant.parse(s.heartbeatAt()), now)), s.pid());
        }
        if ("operator".equals(s.coordinator())) {
            out.printf("Coordinator: you (the operator)%s: each report is an inbox item; answer with `relay answer CODE TEXT`%n",
                    s.apiKeyPresent() ? ", as config.yaml says (coordinator: operator)"
                            : ", as ANTHROPIC_API_KEY is not set: add it to .env and the model takes over");
        }
        out.printf("Model:      %s%s%n", s.model(), s.apiKeyPresent() ? "" : " (ANTHROPIC_API_KEY is not set)");
        long oldest = entries.isEmpty() ? 0 : Duration.between(entries.get(0).modifiedAt(), now).toSeconds();
        out.printf("Queue:      %d envelope%s%s, %d rejected, %d repl%s waiting for sessions%n", entries.size(),
                entries.size() == 1 ? "" : "s", entries.isEmpty() ? "" : " (oldest " + human(Duration.ofSeconds(oldest)) + ")",
                queue.rejectedCount(), s.repliesWaiting(), s.repliesWaiting() == 1 ? "y" : "ies");
        for (Status.SessionStatus ss : s.sessions()) {
            out.printf("Session:    %-20s %-9s %s%s%n", ss.id(), ss.kind(),
                    ss.blocked() != null ? "BLOCKED since " + ss.blockedSince() + ": " + ss.blocked() + " (its replies wait)"
                    : ss.failure() != null ? "FAILED (" + ss.failedAt() + "): " + ss.failure()
                            : ss.inputPending() ? "input.txt not yet read" : "ready",
                    (ss.repliesWaiting() > 0 ? ", " + ss.repliesWaiting() + " more waiting" : "")
                            + (ss.costUsd() > 0 ? String.format(", coordinator $%.4f", ss.costUsd()) : ""));
        }
        if (s.lastTurn() != null && !s.lastTurn().reports().isEmpty()) {
            out.printf("Last turn:  %s%n", lastTurn(s.lastTurn(), now));
        }
        out.printf("History:    %d turns, %,d characters%n", s.historyTurns(), s.historyChars());
        long prompt = s.totalInputTokens() + s.totalCacheCreationTokens() + s.totalCacheReadTokens();
        out.printf("Tokens:     %,d in, %,d out, %,d cache writes, %,d cache reads (%d%% of input from cache)%n",
                s.totalInputTokens(), s.totalOutputTokens(), s.totalCacheCreationTokens(), s.totalCacheReadTokens(),
                prompt == 0 ? 0 : Math.round(100.0 * s.totalCacheReadTokens() / prompt));
        out.printf("Cost:       $%.4f in all, $%.4f the last turn (cache lifetime %s)%n", s.totalCostUsd(),
                s.lastTurnCostUsd(), s.cacheTtl());
        if (s.spend() != null) {
            spend(out, s.spend());
        }
        if (s.lastNeedsJcAt() != null && s.state() == RelayState.NEEDS_JC) {
            out.printf("Needs JC:   since %s: %s%n", s.lastNeedsJcAt(), firstLine(s.lastNeedsJcText()));
        }
        Inbox.Data inbox = new Inbox(home.inboxFile(), Clock.systemUTC()).read();
        List<Item> open = inbox.open();
        if (!open.isEmpty()) {
            out.printf("Inbox:      %d open (%d not acknowledged), the most urgent %s %s: %s; see `relay inbox`%n",
                    open.size(), inbox.waiting(), open.get(0).code(), open.get(0).kind().wire(), open.get(0).title());
        }
        out.printf("ntfy:       %s%s%n", s.ntfyUrl(), running ? phone(inbox) : "");
        if (s.lastError() != null) {
            out.printf("Last error: %s%n", s.lastError());
        }
        return ExitCodes.OK;
    }

    /** Today's spend, its budgets (a brake first and loudest), each line of it, and the last days. */
    static void spend(java.io.PrintWriter out, Status.Spend sp) {
        out.printf("Today:      $%.4f (%s, %s): coordinator $%.4f, agents $%.4f%s%s%n", sp.totalUsd(), sp.day(), sp.zone(),
                sp.coordinatorUsd(), sp.agentsUsd(),
                sp.cacheHitShare() == null ? "" : String.format("; %d%% of prompt tokens from the cache",
                        Math.round(100 * sp.cacheHitShare())),
                sp.unpricedTurns() == 0 ? "" : "; " + sp.unpricedTurns() + " turn" + (sp.unpricedTurns() == 1 ? "" : "s")
                        + " unpriced (the model has no price: add it under prices: in config.yaml)");
        if (!sp.cacheMisses().isEmpty()) {
            out.printf("Cache:      missed today: %s%n", String.join(", ", sp.cacheMisses().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue() + "x").toList()));
        }
        for (Status.Budget b : sp.budgets()) {
            String who = b.session() == null ? "the day's total" : "session " + b.session();
            out.printf("Budget:     %s $%.2f of $%.2f (%d%%) %s%n", who, b.spentUsd(), b.limitUsd(),
                    Math.round(100 * b.spentUsd() / b.limitUsd()), b.stops()
                            ? "BRAKED: " + (b.session() == null ? "no report is taken" : "its reports wait in queue/")
                                    + " (relay raise CODE [USD], relay resume-once CODE; see `relay inbox`)"
                            : b.state().equals("braked") ? "over, " + b.onceLeft() + " turn(s) let through"
                            : b.state().equals("warn") ? "near its limit" : "ok");
        }
        for (Status.SpendLine l : sp.lines()) {
            out.printf("Spend:      %-20s %-10s $%.4f (coordinator $%.4f over %d turn%s%s)%n", l.who(), l.kind(), l.totalUsd(),
                    l.coordinatorUsd(), l.turns(), l.turns() == 1 ? "" : "s",
                    l.agentResults() == 0 ? "" : String.format(", agent $%.4f over %d result%s", l.agentUsd(), l.agentResults(),
                            l.agentResults() == 1 ? "" : "s"));
        }
        if (sp.days().size() > 1) {
            out.printf("Days:       %s%n", String.join(" · ", sp.days().stream()
                    .map(d -> String.format("%s $%.2f", d.day(), d.totalUsd())).toList()));
        }
    }

    /** ", phone unreachable since 03:10 (HTTP 503), 2 notifications waiting", or nothing while it is reachable. */
    static String phone(Inbox.Data inbox) {
        return inbox.phoneUnreachableSince().map(since -> ", phone unreachable since "
                + InboxCommand.at(since) + inbox.phoneError().map(e -> " (" + e + ")").orElse("") + ", "
                + inbox.pushesWaiting() + " notification" + (inbox.pushesWaiting() == 1 ? "" : "s") + " waiting")
                .orElse("");
    }

    /** "answered 3 reports together 12s ago: s1, s2, s3 (s3 not answered: a follow-up turn asks for it)". */
    static String lastTurn(Status.LastTurn t, Instant now) {
        List<Status.Report> reports = t.reports();
        String ago = "";
        try {
            ago = " " + human(Duration.between(Instant.parse(t.answeredAt()), now)) + " ago";
        } catch (RuntimeException e) {
            // no time, or not one this version reads: leave it out
        }
        StringBuilder b = new StringBuilder(reports.size() == 1 ? "answered 1 report"
                : "answered " + reports.size() + " reports together").append(ago).append(": ");
        List<String> unanswered = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(reports.get(i).session());
            if (!reports.get(i).replied()) {
                unanswered.add(reports.get(i).session());
            }
        }
        if (!unanswered.isEmpty()) {
            b.append(" (").append(String.join(", ", unanswered)).append(" not answered: a follow-up turn asks for ")
                    .append(unanswered.size() == 1 ? "it" : "them").append(")");
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }

    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        }
        return (s / 86400) + "d " + (s % 86400 / 3600) + "h";
    }
}
