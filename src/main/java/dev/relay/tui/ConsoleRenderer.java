package dev.relay.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import dev.relay.conversation.Turn;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.state.Status;
import dev.relay.tui.ConsoleController.Mode;
import dev.relay.tui.ConsoleController.Pane;
import dev.relay.tui.ConsoleController.Scroll;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Draws a whole frame (panes, footer, overlays) from a snapshot and the controller's state. Console thread only. */
final class ConsoleRenderer {
    record Rect(int col, int row, int width, int height) {
        int inner() {
            return Math.max(0, width - 2);
        }

        int innerHeight() {
            return Math.max(0, height - 2);
        }
    }

    record Layout(Rect queue, Rect status, Rect conversation, Rect logs, Rect footer) {}

    /** Queue and status side by side on top; conversation and logs below (side by side when the screen is wide). */
    static Layout layout(TerminalSize size) {
        int w = Math.max(20, size.getColumns());
        int h = Math.max(10, size.getRows());
        int topH = clamp(h * 2 / 5, 9, 20);
        int statusW = clamp(w / 2, 40, 76);
        int midTop = topH;
        int midH = h - 1 - topH;
        Rect queue = new Rect(0, 0, w - statusW, topH);
        Rect status = new Rect(w - statusW, 0, statusW, topH);
        Rect conversation;
        Rect logs;
        if (w >= 160) {
            int convW = w * 3 / 5;
            conversation = new Rect(0, midTop, convW, midH);
            logs = new Rect(convW, midTop, w - convW, midH);
        } else {
            int convH = Math.max(4, midH * 3 / 5);
            conversation = new Rect(0, midTop, w, convH);
            logs = new Rect(0, midTop + convH, w, midH - convH);
        }
        return new Layout(queue, status, conversation, logs, new Rect(0, h - 1, w, 1));
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    // cached conversation lines: wrapping 1000 turns on every frame would cost more than everything else
    private Object conversationKey;
    private List<Line> conversationLines = List.of();

    /** Draws a frame; returns where the terminal cursor belongs (an editor is open) or null to hide it. */
    TerminalPosition draw(TextGraphics g, TerminalSize size, HomeSnapshot s, ConsoleController c, Instant now) {
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        g.fill(' ');
        Layout l = layout(size);
        boolean needsJc = "needs_jc".equals(s.state());

        List<Line> queue = Panes.queue(s, l.queue().inner(), now);
        pane(g, l.queue(), "Queue" + (s.queueTotal() > 0 ? " (" + s.queueTotal() + ")" : ""), queue,
                c.scrolls.get(Pane.QUEUE), c.focus == Pane.QUEUE, false, false);

        List<Line> status = new ArrayList<>(Panes.status(s, c.relayMode, l.status().inner(), now));
        c.lastError().ifPresent(e -> {
            for (String part : Text.wrap("console: " + e.text(), Math.max(10, l.status().inner()))) {
                status.add(1, Line.of(Style.ERROR, part));
            }
        });
        pane(g, l.status(), needsJc ? "NEEDS JC" : "Status", status, c.scrolls.get(Pane.STATUS),
                c.focus == Pane.STATUS, needsJc, false);

        pane(g, l.conversation(), "Conversation" + (s.turns().isEmpty() ? "" : " (" + s.turns().size() + " turns shown)"),
                conversation(s.turns(), l.conversation().inner()), c.scrolls.get(Pane.CONVERSATION),
                c.focus == Pane.CONVERSATION, false, true);

        TerminalPosition cursor = null;
        Rect logs = l.logs();
        if (c.attached.isPresent()) {
            String who = c.attached.get();
            String kind = s.status().flatMap(st -> st.sessions().stream().filter(x -> x.id().equals(who)).findFirst())
                    .map(Status.SessionStatus::kind).orElse("file");
            Rect body = new Rect(logs.col(), logs.row(), logs.width(), Math.max(3, logs.height() - 1));
            pane(g, body, "Agent " + who + " (" + kind + " session)", Panes.agent(s, who, body.inner(), now),
                    c.scrolls.get(Pane.LOGS), c.focus == Pane.LOGS, false, true);
            int row = logs.row() + logs.height() - 1;
            String prompt = "to " + who + "> ";
            put(g, logs.col(), row, Line.of(Style.KEY, prompt), logs.width());
            int room = logs.width() - Text.columns(prompt) - 1;
            String typed = c.attachInput.text().replace('\n', ' ');
            int start = Math.max(0, c.attachInput.col() - room);
            put(g, logs.col() + Text.columns(prompt), row,
                    Line.of(Style.INPUT, typed.substring(start, Math.min(typed.length(), start + room))), room);
            if (c.mode == Mode.ATTACHED) {
                cursor = new TerminalPosition(logs.col() + Text.columns(prompt) + c.attachInput.col() - start, row);
            }
        } else {
            pane(g, logs, "Relay log (logs/relay.log)", Panes.log(s.log(), logs.inner()), c.scrolls.get(Pane.LOGS),
                    c.focus == Pane.LOGS, false, true);
        }

        footer(g, l.footer(), c, needsJc);

        switch (c.mode) {
            case HELP -> help(g, size, c);
            case CONFIRM_QUIT -> confirm(g, size, s, c);
            case PICK_AGENT -> picker(g, size, s, c, now);
            case EDIT_OVERRIDE -> cursor = editor(g, size, s, c);
            default -> { }
        }
        return cursor;
    }

    private List<Line> conversation(List<Turn> turns, int width) {
        Object key = List.of(turns.size(), width, turns.isEmpty() ? "" : turns.get(0).at() + turns.get(0).key(),
                turns.isEmpty() ? "" : turns.get(turns.size() - 1).at() + turns.get(turns.size() - 1).key());
        if (!Objects.equals(key, conversationKey)) {
            conversationKey = key;
            conversationLines = Panes.conversation(turns, width);
        }
        return conversationLines;
    }

    /** A bordered pane; {@code followable} panes (conversation, logs) keep their newest line in view unless scrolled. */
    private void pane(TextGraphics g, Rect r, String title, List<Line> lines, Scroll scroll, boolean focused, boolean alarm,
                      boolean followable) {
        if (r.width() < 4 || r.height() < 2) {
            return;
        }
        int page = r.innerHeight();
        scroll.page = Math.max(1, page);
        scroll.lines = lines.size();
        int maxTop = Math.max(0, lines.size() - page);
        if (scroll.follow) {
            scroll.top = maxTop;
        }
        scroll.top = Math.max(0, Math.min(maxTop, scroll.top));
        if (alarm) {
            g.setBackgroundColor(TextColor.ANSI.RED);
            g.fillRectangle(new TerminalPosition(r.col(), r.row()), new com.googlecode.lanterna.TerminalSize(r.width(), r.height()), ' ');
            g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        }
        box(g, r, focused, alarm);
        String t = " " + title + " ";
        g.setForegroundColor(alarm ? TextColor.ANSI.WHITE_BRIGHT : focused ? TextColor.ANSI.CYAN_BRIGHT : TextColor.ANSI.DEFAULT);
        g.setBackgroundColor(alarm ? TextColor.ANSI.RED : TextColor.ANSI.DEFAULT);
        g.enableModifiers(SGR.BOLD);
        g.putString(r.col() + 2, r.row(), Text.fit(t, r.width() - 4));
        g.disableModifiers(SGR.BOLD);
        for (int i = 0; i < page && scroll.top + i < lines.size(); i++) {
            Line line = lines.get(scroll.top + i);
            putIn(g, r.col() + 1, r.row() + 1 + i, line, r.inner(), alarm);
        }
        if (lines.size() > page) {
            int below = lines.size() - (scroll.top + page);
            String where = below > 0
                    ? " ↓ " + below + " more" + (followable && !scroll.follow ? " · End follows " : " ")
                    : " ↑ " + scroll.top + " above ";
            g.setForegroundColor(alarm ? TextColor.ANSI.WHITE_BRIGHT : TextColor.ANSI.BLACK_BRIGHT);
            g.setBackgroundColor(alarm ? TextColor.ANSI.RED : TextColor.ANSI.DEFAULT);
            String fitted = Text.fit(where, r.width() - 4);
            g.putString(r.col() + r.width() - 2 - Text.columns(fitted), r.row() + r.height() - 1, fitted);
        }
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
    }

    private static void box(TextGraphics g, Rect r, boolean focused, boolean alarm) {
        g.setForegroundColor(alarm ? TextColor.ANSI.WHITE_BRIGHT : focused ? TextColor.ANSI.CYAN_BRIGHT : TextColor.ANSI.BLACK_BRIGHT);
        g.setBackgroundColor(alarm ? TextColor.ANSI.RED : TextColor.ANSI.DEFAULT);
        char h = focused ? '━' : '─';
        char v = focused ? '┃' : '│';
        int right = r.col() + r.width() - 1;
        int bottom = r.row() + r.height() - 1;
        for (int x = r.col() + 1; x < right; x++) {
            g.setCharacter(x, r.row(), h);
            g.setCharacter(x, bottom, h);
        }
        for (int y = r.row() + 1; y < bottom; y++) {
            g.setCharacter(r.col(), y, v);
            g.setCharacter(right, y, v);
        }
        g.setCharacter(r.col(), r.row(), focused ? '┏' : '┌');
        g.setCharacter(right, r.row(), focused ? '┓' : '┐');
        g.setCharacter(r.col(), bottom, focused ? '┗' : '└');
        g.setCharacter(right, bottom, focused ? '┛' : '┘');
    }

    private static void put(TextGraphics g, int col, int row, Line line, int width) {
        putIn(g, col, row, line, width, false);
    }

    /** Writes a line's spans from (col, row), cut at {@code width} columns. */
    private static void putIn(TextGraphics g, int col, int row, Line line, int width, boolean alarm) {
        int used = 0;
        for (Line.Span span : line.spans()) {
            if (used >= width) {
                break;
            }
            String text = Text.fit(span.text(), width - used);
            apply(g, alarm ? Style.NEEDS_JC : span.style());
            g.putString(col + used, row, text);
            used += Text.columns(text);
            g.clearModifiers();
        }
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
    }

    /** How each style looks: the one place that names colours. */
    private record Look(TextColor fg, TextColor bg, boolean bold, boolean reverse) {}

    private static final java.util.Map<Style, Look> LOOKS = new java.util.EnumMap<>(java.util.Map.ofEntries(
            java.util.Map.entry(Style.NORMAL, new Look(TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, false, false)),
            java.util.Map.entry(Style.INPUT, new Look(TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, false, false)),
            java.util.Map.entry(Style.DIM, new Look(TextColor.ANSI.BLACK_BRIGHT, TextColor.ANSI.DEFAULT, false, false)),
            java.util.Map.entry(Style.BOLD, new Look(TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, true, false)),
            java.util.Map.entry(Style.HEADING, new Look(TextColor.ANSI.YELLOW, TextColor.ANSI.DEFAULT, true, false)),
            java.util.Map.entry(Style.AGENT, new Look(TextColor.ANSI.CYAN, TextColor.ANSI.DEFAULT, false, false)),
            java.util.Map.entry(Style.COORDINATOR, new Look(TextColor.ANSI.GREEN, TextColor.ANSI.DEFAULT, false, false)),
            java.util.Map.entry(Style.OPERATOR, new Look(TextColor.ANSI.MAGENTA_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            java.util.Map.entry(Style.SUMMARY, new Look(TextColor.ANSI.YELLOW, TextColor.ANSI.DEFAULT, false, false)),
            java.util.Map.entry(Style.OK, new Look(TextColor.ANSI.GREEN_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            java.util.Map.entry(Style.WARN, new Look(TextColor.ANSI.YELLOW_BRIGHT, TextColor.ANSI.DEFAULT, false, false)),
            java.util.Map.entry(Style.ERROR, new Look(TextColor.ANSI.RED_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            java.util.Map.entry(Style.PAUSED, new Look(TextColor.ANSI.YELLOW_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            java.util.Map.entry(Style.NEEDS_JC, new Look(TextColor.ANSI.WHITE_BRIGHT, TextColor.ANSI.RED, true, false)),
            java.util.Map.entry(Style.KEY, new Look(TextColor.ANSI.CYAN_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            java.util.Map.entry(Style.SELECTED, new Look(TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, false, true))));

    static void apply(TextGraphics g, Style style) {
        Look look = LOOKS.getOrDefault(style, LOOKS.get(Style.NORMAL));
        g.clearModifiers();
        g.setForegroundColor(look.fg());
        g.setBackgroundColor(look.bg());
        if (look.bold()) {
            g.enableModifiers(SGR.BOLD);
        }
        if (look.reverse()) {
            g.enableModifiers(SGR.REVERSE);
        }
    }

    private static void footer(TextGraphics g, Rect r, ConsoleController c, boolean needsJc) {
        Optional<ConsoleController.Flash> flash = c.flash();
        if (flash.isPresent()) {
            put(g, r.col(), r.row(), Line.of(flash.get().style(), " " + flash.get().text()), r.width());
            return;
        }
        Line line = needsJc && c.mode == Mode.NORMAL ? Line.of(Style.NEEDS_JC, " NEEDS JC ").then(Style.NORMAL, " ") : Line.of(" ");
        line = keys(line, ConsoleController.table(c.mode == Mode.HELP ? Mode.NORMAL : c.mode));
        put(g, r.col(), r.row(), line, r.width());
    }

    private static Line keys(Line start, List<KeyBinding> table) {
        Line line = start;
        for (KeyBinding b : table) {
            if (b.footer()) {
                line = line.then(Style.KEY, b.key().label()).then(Style.NORMAL, " " + b.name() + "  ");
            }
        }
        return line;
    }

    private static Rect centered(TerminalSize size, int width, int height) {
        int w = Math.min(size.getColumns() - 2, width);
        int h = Math.min(size.getRows() - 2, height);
        return new Rect((size.getColumns() - w) / 2, (size.getRows() - h) / 2, w, h);
    }

    private static void window(TextGraphics g, Rect r, String title) {
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.fillRectangle(new TerminalPosition(r.col(), r.row()), new TerminalSize(r.width(), r.height()), ' ');
        box(g, r, true, false);
        g.setForegroundColor(TextColor.ANSI.CYAN_BRIGHT);
        g.enableModifiers(SGR.BOLD);
        g.putString(r.col() + 2, r.row(), Text.fit(" " + title + " ", r.width() - 4));
        g.clearModifiers();
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
    }

    private static void help(TextGraphics g, TerminalSize size, ConsoleController c) {
        List<Line> lines = helpLines();
        Rect r = centered(size, 104, lines.size() + 2);
        int rows = r.innerHeight();
        c.helpTop = Math.max(0, Math.min(c.helpTop, lines.size() - rows));
        window(g, r, lines.size() > rows ? "Keys · ↑↓ scroll · any other key closes" : "Keys · any key closes");
        for (int i = 0; i < rows && c.helpTop + i < lines.size(); i++) {
            put(g, r.col() + 1, r.row() + 1 + i, lines.get(c.helpTop + i), r.inner());
        }
    }

    /** The help, from the key tables: keys with the same text share a row; the attached mode lists only its own. */
    static List<Line> helpLines() {
        List<Line> lines = new ArrayList<>();
        section(lines, "Console", ConsoleController.table(Mode.NORMAL), List.of());
        section(lines, "Override editor (o)", ConsoleController.table(Mode.EDIT_OVERRIDE), List.of());
        section(lines, "Attached to an agent (a); the scrolling keys work as above", ConsoleController.table(Mode.ATTACHED),
                ConsoleController.table(Mode.NORMAL));
        return lines;
    }

    private static void section(List<Line> lines, String title, List<KeyBinding> table, List<KeyBinding> shown) {
        lines.add(Line.of(Style.HEADING, title));
        java.util.LinkedHashMap<String, List<String>> byHelp = new java.util.LinkedHashMap<>();
        for (KeyBinding b : table) {
            boolean already = shown.stream().anyMatch(x -> x.key().equals(b.key()) && x.help().equals(b.help()));
            if (!already) {
                byHelp.computeIfAbsent(b.help(), h -> new ArrayList<>()).add(b.key().label());
            }
        }
        byHelp.forEach((help, keys) -> lines.add(
                Line.of(Style.KEY, String.format("  %-18s ", String.join(" ", keys))).then(Style.NORMAL, help)));
    }

    private static void confirm(TextGraphics g, TerminalSize size, HomeSnapshot s, ConsoleController c) {
        String what = c.relayMode == Panes.Mode.IN_PROCESS
                ? "The relay in this console stops. A turn in flight is finished at its next start: nothing is lost."
                : "The relay" + s.status().map(st -> " (pid " + st.pid() + ")").orElse("") + " keeps running.";
        List<String> body = Text.wrap(what, Math.min(60, size.getColumns() - 6));
        Rect r = centered(size, 64, body.size() + 4);
        window(g, r, "Quit the console?");
        for (int i = 0; i < body.size(); i++) {
            put(g, r.col() + 2, r.row() + 1 + i, Line.of(body.get(i)), r.inner() - 2);
        }
        put(g, r.col() + 2, r.row() + r.height() - 2, keys(Line.EMPTY, ConsoleController.table(Mode.CONFIRM_QUIT)), r.inner() - 2);
    }

    private static void picker(TextGraphics g, TerminalSize size, HomeSnapshot s, ConsoleController c, Instant now) {
        List<String> sessions = s.sessions();
        Rect r = centered(size, 60, sessions.size() + 4);
        window(g, r, "Attach to an agent");
        int rows = r.innerHeight() - 1;
        int first = Math.max(0, c.pickIndex - rows + 1);
        for (int i = 0; i < rows && first + i < sessions.size(); i++) {
            String id = sessions.get(first + i);
            String kind = s.status().flatMap(st -> st.sessions().stream().filter(x -> x.id().equals(id)).findFirst())
                    .map(Status.SessionStatus::kind).orElse("file");
            boolean selected = first + i == c.pickIndex;
            Line line = Line.of(selected ? Style.SELECTED : Style.AGENT, String.format(" %-24s", Text.fit(id, 24)))
                    .then(selected ? Style.SELECTED : Style.DIM, String.format(" %-10s", kind));
            put(g, r.col() + 1, r.row() + 1 + i, line, r.inner());
        }
        put(g, r.col() + 1, r.row() + r.height() - 2, keys(Line.of(" "), ConsoleController.table(Mode.PICK_AGENT)), r.inner());
    }

    private static TerminalPosition editor(TextGraphics g, TerminalSize size, HomeSnapshot s, ConsoleController c) {
        TextEditor ed = c.editor;
        List<String> lines = ed.lines();
        int width = Math.min(size.getColumns() - 2, 100);
        int height = Math.min(size.getRows() - 2, Math.max(8, lines.size() + 5));
        Rect r = new Rect((size.getColumns() - width) / 2, size.getRows() - 1 - height, width, height);
        String text = ed.text();
        String title = text.startsWith("@") && text.indexOf(':') > 1
                ? "Message straight to " + text.substring(1, text.indexOf(':')).strip()
                : "Override: the coordinator's next turn, as JC";
        window(g, r, title);
        int textRows = r.innerHeight() - 2;
        int first = Math.max(0, ed.row() - textRows + 1);
        int inner = r.inner() - 1;
        int hscroll = Math.max(0, ed.col() - inner + 1);
        for (int i = 0; i < textRows && first + i < lines.size(); i++) {
            String l = lines.get(first + i);
            int from = Math.min(l.length(), first + i == ed.row() ? hscroll : 0);
            put(g, r.col() + 1, r.row() + 1 + i, Line.of(Style.INPUT, l.substring(from)), inner);
        }
        List<String> completions = c.completions();
        Line hint = completions.isEmpty()
                ? (text.isEmpty() ? Line.of(Style.DIM, "Start with @ and Tab to write to one agent.") : Line.EMPTY)
                : Line.of(Style.DIM, "sessions: ").then(Style.AGENT, String.join("  ", completions));
        put(g, r.col() + 1, r.row() + r.height() - 3, hint, r.inner());
        put(g, r.col() + 1, r.row() + r.height() - 2, keys(Line.EMPTY, ConsoleController.table(Mode.EDIT_OVERRIDE)), r.inner());
        return new TerminalPosition(r.col() + 1 + ed.col() - hscroll, r.row() + 1 + ed.row() - first);
    }
}
