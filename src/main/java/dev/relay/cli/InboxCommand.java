package dev.relay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Home;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.state.StatusFile;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "inbox", mixinStandardHelpOptions = true,
        description = {"Lists what needs you: questions the coordinator asked JC, a stuck queue, failed agents, the relay",
            "in error; most urgent first, each with its code, its actions and what was done to it, from where.",
            "Act on one with `relay answer CODE TEXT`, `relay ack CODE`, `relay snooze CODE 1h`, `relay resolve CODE`",
            "(or from the console, or the phone's buttons).",
            "",
            "Examples:",
            "  relay inbox",
            "  relay inbox --all        # the last 200 resolved items too",
            "  relay inbox --json | jq '.[] | select(.kind == \"needs_jc\") | .code'"})
final class InboxCommand extends HomeCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEXT_LINES = 8;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT);

    @Option(names = "--json", description = "Print a JSON array of the items (CONTRACT section 7).")
    boolean json;

    @Option(names = "--all", description = "Include resolved items.")
    boolean all;

    @Override
    public Integer call() throws Exception {
        Home home = home();
        Inbox.Data data = new Inbox(home.inboxFile(), Clock.systemUTC()).read();
        List<Item> items = all ? data.items().stream().sorted(Inbox.URGENCY).toList() : data.open();
        if (json) {
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(items)));
            return ExitCodes.OK;
        }
        print(out(), home, data, items, Instant.now());
        return ExitCodes.OK;
    }

    static ArrayNode toJson(List<Item> items) {
        ArrayNode array = JSON.createArrayNode();
        for (Item i : items) {
            ObjectNode n = array.addObject();
            n.put("code", i.code());
            n.put("kind", i.kind().wire());
            n.put("severity", i.severity().wire());
            if (i.session().isPresent()) {
                n.put("session", i.session().get());
            } else {
                n.putNull("session");
            }
            n.put("title", i.title());
            n.put("text", i.text());
            n.put("state", i.state().wire());
            n.put("created_at", i.createdAt().toString());
            n.put("updated_at", i.updatedAt().toString());
            n.put("count", i.count());
            ArrayNode actions = n.putArray("actions");
            if (i.isOpen()) {
                i.kind().actions().forEach(a -> actions.add(a.wire()));
            }
            i.snoozedUntil().ifPresent(t -> n.put("snoozed_until", t.toString()));
            i.resolvedAt().ifPresent(t -> n.put("resolved_at", t.toString()));
            i.resolution().ifPresent(r -> n.put("resolution", r));
            n.put("pushes", i.pushes());
            ArrayNode history = n.putArray("history");
            for (Item.Entry e : i.history()) {
                ObjectNode h = history.addObject();
                h.put("action", e.action().wire());
                h.put("source", e.source().wire());
                h.put("at", e.at().toString());
                e.text().ifPresent(t -> h.put("text", t));
                h.put("applied", e.applied());
            }
        }
        return array;
    }

    static void print(PrintWriter out, Home home, Inbox.Data data, List<Item> items, Instant now) {
        long open = data.open().size();
        out.println(open == 0 ? "Inbox: nothing needs you." : "Inbox: " + open + " open item" + (open == 1 ? "" : "s")
                + " (" + data.waiting() + " not yet acknowledged)");
        for (Item i : items) {
            out.println();
            out.printf("  %s  %-6s  %-12s %s%s%n", i.code(), i.severity().wire(), i.kind().wire(),
                    i.session().map(s -> s + "  ").orElse(""), i.title());
            out.println("         " + state(i, now) + " · since " + at(i.createdAt()) + " (" + ago(i.createdAt(), now) + ")"
                    + (i.count() > 1 ? " · " + i.count() + " times, last " + at(i.updatedAt()) : ""));
            List<String> lines = wrap(i.text().strip(), 90);
            for (int n = 0; n < Math.min(lines.size(), TEXT_LINES); n++) {
                out.println("         " + lines.get(n) + (n == TEXT_LINES - 1 && lines.size() > TEXT_LINES ? " …" : ""));
            }
            for (Item.Entry e : i.history()) {
                out.println("         " + at(e.at()) + " " + e.action().wire() + " " + e.source().from()
                        + e.text().map(t -> ": " + (t.length() > 60 ? t.substring(0, 60) + "…" : t)).orElse("")
                        + (e.applied() ? "" : " (not yet carried out)"));
            }
            if (i.isOpen()) {
                out.println("         actions: " + String.join(", ", i.kind().actions().stream().map(Action::wire).toList())
                        + (i.takes(Action.ANSWER) ? "   e.g. relay answer " + i.code() + " \"...\"" : ""));
            } else {
                out.println("         " + i.resolution().orElse("resolved"));
            }
        }
        data.phoneUnreachableSince().ifPresent(since -> {
            boolean live = new StatusFile(home.statusFile()).read().map(s -> StatusFile.isLive(s, now)).orElse(false);
            if (live) {
                out.println();
                out.println("Phone unreachable since " + at(since) + data.phoneError().map(e -> " (" + e + ")").orElse("")
                        + "; " + data.pushesWaiting() + (data.pushesWaiting() == 1 ? " notification waits and is"
                        : " notifications wait and are") + " retried");
            }
        });
    }

    /** The text in lines of at most {@code width}, broken between words (a longer word alone on its line). */
    static List<String> wrap(String text, int width) {
        List<String> out = new java.util.ArrayList<>();
        for (String paragraph : text.split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.split(" ")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                line.append(line.length() > 0 ? " " : "").append(word);
            }
            out.add(line.toString());
        }
        return out;
    }

    private static String state(Item i, Instant now) {
        return switch (i.state()) {
            case SNOOZED -> "snoozed until " + at(i.snoozedUntil().orElse(now));
            default -> i.state().wire();
        };
    }

    static String at(Instant t) {
        return TIME.format(t.atZone(ZoneId.systemDefault()));
    }

    static String ago(Instant t, Instant now) {
        Duration d = Duration.between(t, now);
        if (d.toMinutes() < 1) {
            return d.toSeconds() + " s ago";
        }
        if (d.toHours() < 1) {
            return d.toMinutes() + " min ago";
        }
        if (d.toDays() < 1) {
            return d.toHours() + " h ago";
        }
        return d.toDays() + " d ago";
    }
}
