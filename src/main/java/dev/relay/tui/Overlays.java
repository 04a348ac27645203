package dev.relay.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import dev.relay.core.DirectMessage;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.tui.ConsoleController.Flash;
import dev.relay.tui.ConsoleView.Placed;
import dev.relay.tui.ConsoleView.Window;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * What is drawn beside and over the panes, as pure functions to placed lines: the windows (help, quit, agent picker,
 * override editor), the footer and the input line to an attached agent. Tested without a terminal.
 */
final class Overlays {
    private static final String OVERRIDE_TITLE = "Override: the coordinator's next turn, as JC";

    private Overlays() {}

    /** The input line to an attached agent, and where its cursor is. */
    record AgentInput(List<Placed> lines, TerminalPosition cursor) {}

    // ---- help ----------------------------------------------------------------------------------------------

    /** The help, from the key tables: keys with the same text share a row; the attached mode lists only its own. */
    static List<Line> helpLines() {
        List<Line> lines = new ArrayList<>();
        section(lines, "Console", KeyTables.table(ConsoleMode.NORMAL), List.of());
        section(lines, "Override editor (o)", KeyTables.table(ConsoleMode.EDIT_OVERRIDE), List.of());
        section(lines, "Attached to an agent (a); the scrolling keys work as above", KeyTables.table(ConsoleMode.AGENT_CHAT),
                KeyTables.table(ConsoleMode.NORMAL));
        return lines;
    }

    private static void section(List<Line> lines, String title, List<KeyBinding> table, List<KeyBinding> shown) {
        lines.add(Line.of(Style.HEADING, title));
        LinkedHashMap<String, List<String>> byHelp = new LinkedHashMap<>();
        for (KeyBinding b : table) {
            boolean already = shown.stream().anyMatch(x -> x.key().equals(b.key()) && x.help().equals(b.help()));
            if (!already) {
                byHelp.computeIfAbsent(b.help(), h -> new ArrayList<>()).add(b.key().label());
            }
        }
        byHelp.forEach((help, keys) -> lines.add(
                Line.of(Style.KEY, String.format("  %-18s ", String.join(" ", keys))).then(Style.NORMAL, help)));
    }

    private static Rect helpRect(TerminalSize size, int lines) {
        return Rect.centered(size, 104, lines + 2);
    }

    /** The first help line that can be at the top: the one that puts the last line at the bottom of the window. */
    static int helpMaxTop(TerminalSize size) {
        int lines = helpLines().size();
        return Math.max(0, lines - helpRect(size, lines).innerHeight());
    }

    /** The help window scrolled to line {@code top}. */
    static Window help(TerminalSize size, int top) {
        List<Line> lines = helpLines();
        Rect r = helpRect(size, lines.size());
        int rows = r.innerHeight();
        List<Placed> placed = new ArrayList<>();
        for (int i = 0; i < rows && top + i < lines.size(); i++) {
            placed.add(new Placed(r.col() + 1, r.row() + 1 + i, lines.get(top + i), r.inner()));
        }
        return new Window(r, lines.size() > rows ? "Keys · ↑↓ scroll · any other key closes" : "Keys · any key closes",
                placed, Optional.empty());
    }

    // ---- quit, picker, editor ------------------------------------------------------------------------------

    static Window confirmQuit(TerminalSize size, ConsoleHost host, HomeSnapshot s) {
        String what = host == ConsoleHost.IN_PROCESS
                ? "The relay in this console stops. A turn in flight is finished at its next start: nothing is lost."
                : "The relay" + s.status().map(st -> " (pid " + st.pid() + ")").orElse("") + " keeps running.";
        List<String> body = Text.wrap(what, Math.min(60, size.getColumns() - 6));
        Rect r = Rect.centered(size, 64, body.size() + 4);
        List<Placed> placed = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            placed.add(new Placed(r.col() + 2, r.row() + 1 + i, Line.of(body.get(i)), r.inner() - 2));
        }
        placed.add(new Placed(r.col() + 2, r.row() + r.height() - 2,
                keys(Line.EMPTY, KeyTables.table(ConsoleMode.CONFIRM_QUIT)), r.inner() - 2));
        return new Window(r, "Quit the console?", placed, Optional.empty());
    }

    /** The sessions to attach to, {@code selected} highlighted and kept in view. */
    static Window picker(TerminalSize size, HomeSnapshot s, int selected) {
        List<String> sessions = s.sessions();
        Rect r = Rect.centered(size, 60, sessions.size() + 4);
        int rows = r.innerHeight() - 1;
        int first = Math.max(0, selected - rows + 1);
        List<Placed> placed = new ArrayList<>();
        for (int i = 0; i < rows && first + i < sessions.size(); i++) {
            String id = sessions.get(first + i);
            boolean on = first + i == selected;
            Line line = Line.of(on ? Style.SELECTED : Style.AGENT, String.format(" %-24s", Text.fit(id, 24)))
                    .then(on ? Style.SELECTED : Style.DIM, String.format(" %-10s", Panes.kind(s, id)));
            placed.add(new Placed(r.col() + 1, r.row() + 1 + i, line, r.inner()));
        }
        placed.add(new Placed(r.col() + 1, r.row() + r.height() - 2,
                keys(Line.of(" "), KeyTables.table(ConsoleMode.PICK_AGENT)), r.inner()));
        return new Window(r, "Attach to an agent", placed, Optional.empty());
    }

    /** The override editor at the bottom of the screen, scrolled to keep its cursor in view. */
    static Window editor(TerminalSize size, TextEditor ed, List<String> completions) {
        List<String> lines = ed.lines();
        int width = Math.min(size.getColumns() - 2, 100);
        int height = Math.min(size.getRows() - 2, Math.max(8, lines.size() + 5));
        Rect r = new Rect((size.getColumns() - width) / 2, size.getRows() - 1 - height, width, height);
        String text = ed.text();
        String title = DirectMessage.parse(text).map(d -> "Message straight to " + d.session()).orElse(OVERRIDE_TITLE);
        int textRows = r.innerHeight() - 2;
        int first = Math.max(0, ed.row() - textRows + 1);
        int inner = r.inner() - 1;
        int hscroll = Math.max(0, ed.col() - inner + 1);
        List<Placed> placed = new ArrayList<>();
        for (int i = 0; i < textRows && first + i < lines.size(); i++) {
            String l = lines.get(first + i);
            int from = Math.min(l.length(), first + i == ed.row() ? hscroll : 0);
            placed.add(new Placed(r.col() + 1, r.row() + 1 + i, Line.of(Style.INPUT, l.substring(from)), inner));
        }
        Line hint = completions.isEmpty()
                ? (text.isEmpty() ? Line.of(Style.DIM, "Start with @ and Tab to write to one agent.") : Line.EMPTY)
                : Line.of(Style.DIM, "sessions: ").then(Style.AGENT, String.join("  ", completions));
        placed.add(new Placed(r.col() + 1, r.row() + r.height() - 3, hint, r.inner()));
        placed.add(new Placed(r.col() + 1, r.row() + r.height() - 2,
                keys(Line.EMPTY, KeyTables.table(ConsoleMode.EDIT_OVERRIDE)), r.inner()));
        TerminalPosition cursor = new TerminalPosition(r.col() + 1 + ed.col() - hscroll, r.row() + 1 + ed.row() - first);
        return new Window(r, title, placed, Optional.of(cursor));
    }

    // ---- beside the panes ----------------------------------------------------------------------------------

    /** The last row of the logs pane while attached: "to SESSION> " and what is typed, scrolled to the cursor. */
    static AgentInput agentInput(Layout l, String who, TextEditor input) {
        Rect logs = l.logs();
        int row = l.agentInputRow();
        String prompt = "to " + who + "> ";
        int room = logs.width() - Text.columns(prompt) - 1;
        String typed = input.text().replace('\n', ' ');
        int start = Math.max(0, input.col() - room);
        int at = logs.col() + Text.columns(prompt);
        return new AgentInput(List.of(
                new Placed(logs.col(), row, Line.of(Style.KEY, prompt), logs.width()),
                new Placed(at, row, Line.of(Style.INPUT, typed.substring(start, Math.min(typed.length(), start + room))), room)),
                new TerminalPosition(at + input.col() - start, row));
    }

    /** The last row: a message while it lasts, else the mode's main keys (the panes' keys under the help). */
    static Line footer(ConsoleMode mode, Optional<Flash> flash, boolean needsJc) {
        if (flash.isPresent()) {
            return Line.of(flash.get().style(), " " + flash.get().text());
        }
        Line line = needsJc && mode == ConsoleMode.NORMAL
                ? Line.of(Style.NEEDS_JC, " NEEDS JC ").then(Style.NORMAL, " ")
                : Line.of(" ");
        return keys(line, KeyTables.table(mode == ConsoleMode.HELP ? ConsoleMode.NORMAL : mode));
    }

    /** The footer keys of a table, after {@code start}: "o Override  p Pause  ...". */
    static Line keys(Line start, List<KeyBinding> table) {
        Line line = start;
        for (KeyBinding b : table) {
            if (b.footer()) {
                line = line.then(Style.KEY, b.key().label()).then(Style.NORMAL, " " + b.name() + "  ");
            }
        }
        return line;
    }
}
