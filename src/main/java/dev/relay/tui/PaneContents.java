package dev.relay.tui;

import dev.relay.conversation.Turn;
import dev.relay.monitor.HomeSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The four panes of a frame before scrolling: where each goes, its title and all its lines, from a snapshot through
 * {@link Panes}. Keeps the conversation's lines between frames; console thread only.
 */
final class PaneContents {
    /** One pane's whole content; {@code followable} panes keep their newest line in view unless scrolled. */
    record Content(Rect rect, String title, List<Line> lines, boolean alarm, boolean followable) {
        Content {
            lines = List.copyOf(lines);
        }
    }

    // wrapping 1000 turns on every frame would cost more than everything else
    private Object conversationKey;
    private List<Line> conversationLines = List.of();

    /**
     * The panes in drawing order.
     *
     * @param attached     the agent the logs pane follows, if any
     * @param consoleError the console's own last error, shown at the top of the status pane
     */
    Map<Pane, Content> of(HomeSnapshot s, Layout l, ConsoleHost host, Optional<String> attached,
                          Optional<String> consoleError, Instant now) {
        Map<Pane, Content> panes = new LinkedHashMap<>();
        boolean needsJc = s.needsJc();
        panes.put(Pane.QUEUE, new Content(l.queue(), "Queue" + (s.queueTotal() > 0 ? " (" + s.queueTotal() + ")" : ""),
                Panes.queue(s, l.queue().inner(), now), false, false));

        List<Line> status = new ArrayList<>(Panes.status(s, host, l.status().inner(), now));
        consoleError.ifPresent(e -> {
            int at = 1;
            for (String part : Text.wrap("console: " + e, Math.max(10, l.status().inner()))) {
                status.add(at++, Line.of(Style.ERROR, part));   // under the state line, in reading order
            }
        });
        panes.put(Pane.STATUS, new Content(l.status(), needsJc ? "NEEDS JC" : "Status", status, needsJc, false));

        panes.put(Pane.CONVERSATION, new Content(l.conversation(),
                "Conversation" + (s.turns().isEmpty() ? "" : " (" + s.turns().size() + " turns shown)"),
                conversation(s.turns(), l.conversation().inner()), false, true));

        if (attached.isPresent()) {
            String who = attached.get();
            Rect body = l.agent();
            panes.put(Pane.LOGS, new Content(body, "Agent " + who + " (" + Panes.kind(s, who) + " session)",
                    Panes.agent(s, who, body.inner(), now), false, true));
        } else {
            panes.put(Pane.LOGS, new Content(l.logs(), "Relay log (logs/relay.log)", Panes.log(s.log(), l.logs().inner()),
                    false, true));
        }
        return panes;
    }

    private List<Line> conversation(List<Turn> turns, int width) {
        Object key = List.of(turns.size(), width, turns.isEmpty() ? "" : turns.get(0).at() + turns.get(0).key(),
                turns.isEmpty() ? "" : turns.get(turns.size() - 1).at() + turns.get(turns.size() - 1).key());
        if (!Objects.equals(key, conversationKey)) {
            conversationKey = key;
            conversationLines = List.copyOf(Panes.conversation(turns, width));
        }
        return conversationLines;
    }
}
