package dev.relay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.trail.Trail;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Prints the life of one message, each step with its time: queued, taken,",
            "answered (by the model or the operator), held for review or for JC, approved,",
            "edited or rejected, dispatched to its session, read by it, or cancelled.",
            "ID: the message's name as `relay log` shows it (its envelope's file name",
            "without .json), any unique start of it, or its id in `relay queue`.",
            "",
            "Examples:",
            "  relay trace 1796280742361-web-e67f87",
            "  relay trace 1796280742361 --json"})
final class TraceCommand extends HomeCommand {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    @Parameters(index = "0", paramLabel = "ID", description = "The message's name, or a unique start of it.")
    String id;

    @Option(names = "--json", description = "Print a JSON array of the steps.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Trail.Step> all = new Trail(home().trailFile()).read();
        List<Trail.Step> steps = distinct(Trail.of(all, id));
        if (steps.isEmpty()) {
            steps = distinct(byQueueId(all, id));
        }
        if (steps.isEmpty()) {
            Set<String> candidates = Trail.candidates(all, id);
            throw new UserException(candidates.size() > 1
                    ? id + " names " + candidates.size() + " messages (" + String.join(", ", candidates.stream().limit(5).toList())
                    + (candidates.size() > 5 ? ", ..." : "") + "): give more of the name"
                    : "no message " + id + " in " + home().trailFile() + " (`relay log` lists them)");
        }
        if (json) {
            out().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(steps));
            return ExitCodes.OK;
        }
        String name = steps.stream().map(Trail.Step::message).filter(m -> m != null).findFirst().orElse(id);
        out().println(name);
        for (Trail.Step s : steps) {
            out().println("  " + line(s));
        }
        return ExitCodes.OK;
    }

    /** The steps of the message whose `relay queue` id starts with {@code id}, if exactly one does. */
    private List<Trail.Step> byQueueId(List<Trail.Step> all, String id) {
        dev.relay.monitor.QueueItems items = new dev.relay.monitor.QueueItems(home(), Long.MAX_VALUE, java.time.Clock.systemUTC());
        Set<String> names = new LinkedHashSet<>();
        for (Trail.Step s : all) {
            if (s.message() != null && (items.idOf(dev.relay.monitor.QueueItems.Kind.ENVELOPE,
                    home().queueDir().resolve(s.message() + ".json")).startsWith(id))) {
                names.add(s.message());
            }
        }
        return names.size() == 1 ? Trail.of(all, names.iterator().next()) : List.of();
    }

    /** "09:41:15 answered by claude-sonnet-5-5 (s1): Good. Next: ..." */
    static String line(Trail.Step s) {
        StringBuilder b = new StringBuilder(TIME.format(s.instant())).append("  ").append(String.format("%-10s", s.step()));
        if (s.by() != null) {
            b.append(" by ").append(s.by());
        }
        if (s.session() != null) {
            b.append(" (").append(s.session()).append(')');
        }
        if (s.text() != null) {
            String t = s.text().replace('\n', ' ');
            b.append(": ").append(t.length() > 100 ? t.substring(0, 100) + "…" : t);
        }
        return b.toString();
    }

    /** The steps without repeats (a restart sees its queued envelopes again: the same step, at the same time). */
    static List<Trail.Step> distinct(List<Trail.Step> steps) {
        return new ArrayList<>(new LinkedHashSet<>(steps));
    }
}
