package dev.relay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.inbox.Durations;
import dev.relay.trail.Trail;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "log", mixinStandardHelpOptions = true,
        description = {"Prints the record of every message in and out (state/trail.jsonl, appended",
            "only): envelopes queued and taken, replies and who answered, held replies and",
            "the operator's decisions, dispatches and readings. One line a step, the first",
            "column what the turn that answered a message cost its session; --json",
            "prints JSON lines, as the file holds them, to replay or export.",
            "",
            "Examples:",
            "  relay log --since 2h",
            "  relay log --session web --since 2026-12-03T08:00:00Z",
            "  relay log --json > trail-$(date +%%F).jsonl"})
final class LogCommand extends HomeCommand {
    @Option(names = "--session", paramLabel = "S", description = "Only the steps of this session's messages.")
    String session;

    @Option(names = "--since", paramLabel = "T", description = "Only the steps since T: a time (2026-12-03T08:00:00Z) or a duration ago (30m, 2h, 1d).")
    String since;

    @Option(names = "--json", description = "Print the steps as JSON lines.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Instant from = since == null ? Instant.MIN : parseSince(since);
        List<Trail.Step> steps = TraceCommand.distinct(new Trail(home().trailFile()).read()).stream()
                .filter(s -> !s.instant().isBefore(from))
                .filter(s -> session == null || session.equals(s.session()))
                .toList();
        ObjectMapper mapper = new ObjectMapper();
        for (Trail.Step s : steps) {
            out().println(json ? mapper.writeValueAsString(s) : cost(s) + TraceCommand.line(s)
                    + (s.message() == null ? "" : "  [" + s.message() + "]"));
        }
        if (!json && steps.isEmpty()) {
            out().println("no steps recorded" + (since == null ? "" : " since " + since) + (session == null ? "" : " for " + session));
        }
        return ExitCodes.OK;
    }

    /** The cost column: what the turn that answered the message cost its session, on the answered step. */
    static String cost(Trail.Step s) {
        return s.costUsd() == null ? " ".repeat(10) : String.format("%9s ", String.format("$%.4f", s.costUsd()));
    }

    private static Instant parseSince(String text) {
        return Durations.parse(text).map(d -> Instant.now().minus(d)).orElseGet(() -> {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new UserException("--since " + text + ": give a time (2026-12-03T08:00:00Z) or a duration (30m, 2h, 1d)",
                        ExitCodes.USAGE);
            }
        });
    }
}
