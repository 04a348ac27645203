package dev.relay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.monitor.QueueItems;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "queue", mixinStandardHelpOptions = true,
        description = {"Lists every message that waits to be taken: envelopes in queue/, replies and the operator's",
            "messages in the sessions' outboxes, the operator's messages for the coordinator. Each has an id",
            "(e, r or o for envelope, reply, operator, then 7 hex digits; any unique prefix will do) for",
            "`relay cancel ID` and `relay edit ID`, as long as it is not taken.",
            "",
            "Examples:",
            "  relay queue",
            "  relay queue --json | jq -r '.[] | select(.taken | not) | .id'"})
final class QueueCommand extends HomeCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--json", description = "Print a JSON array: id, kind, session, queued_at, size, preview, taken, taken_by.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<QueueItems.Item> items = new QueueItems(home(), settings(false).maxEnvelopeBytes(), Clock.systemUTC()).list();
        if (json) {
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(items)));
        } else {
            print(out(), items, Instant.now());
        }
        return ExitCodes.OK;
    }

    static ArrayNode toJson(List<QueueItems.Item> items) {
        ArrayNode array = JSON.createArrayNode();
        for (QueueItems.Item i : items) {
            ObjectNode n = array.addObject();
            n.put("id", i.id());
            n.put("kind", i.kind().wire());
            if (i.session().isPresent()) {
                n.put("session", i.session().get());
            } else {
                n.putNull("session");
            }
            n.put("queued_at", i.queuedAt().toString());
            n.put("size", i.size());
            n.put("preview", i.preview());
            n.put("taken", i.taken());
            if (i.takenBy().isPresent()) {
                n.put("taken_by", i.takenBy().get());
            } else {
                n.putNull("taken_by");
            }
        }
        return array;
    }

    static void print(PrintWriter out, List<QueueItems.Item> items, Instant now) {
        if (items.isEmpty()) {
            out.println("Nothing waits.");
            return;
        }
        out.printf("%-9s %-8s %-14s %-11s %7s  %-6s %s%n", "ID", "KIND", "SESSION", "QUEUED", "BYTES", "STATE", "PREVIEW");
        for (QueueItems.Item i : items) {
            String preview = i.preview().length() > 60 ? i.preview().substring(0, 59) + "…" : i.preview();
            out.printf("%-9s %-8s %-14s %-11s %7d  %-6s %s%n", i.id(), i.kind().wire(), i.session().orElse("-"),
                    InboxCommand.at(i.queuedAt()), i.size(), i.taken() ? "taken" : "waits", preview);
        }
        long taken = items.stream().filter(QueueItems.Item::taken).count();
        out.println();
        out.println(items.size() + " waiting" + (taken > 0 ? ", " + taken + " taken already (no longer changeable)" : "")
                + "; change one with `relay cancel ID` or `relay edit ID --text TEXT`");
    }
}
