package dev.relay.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import dev.relay.tui.ConsoleView.PaneView;
import dev.relay.tui.ConsoleView.Placed;
import dev.relay.tui.ConsoleView.Window;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Draws a {@link ConsoleView} on lanterna: borders, titles, spans in their colours. Decides nothing. */
final class ConsoleRenderer {
    private ConsoleRenderer() {}

    static void draw(TextGraphics g, ConsoleView view) {
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        g.fill(' ');
        for (PaneView p : view.panes()) {
            pane(g, p);
        }
        for (Placed p : view.lines()) {
            put(g, p, false);
        }
        view.overlay().ifPresent(w -> window(g, w));
    }

    private static void pane(TextGraphics g, PaneView p) {
        Rect r = p.rect();
        boolean alarm = p.alarm();
        if (alarm) {
            g.setBackgroundColor(TextColor.ANSI.RED);
            g.fillRectangle(new TerminalPosition(r.col(), r.row()), new TerminalSize(r.width(), r.height()), ' ');
            g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        }
        box(g, r, p.focused(), alarm);
        g.setForegroundColor(alarm ? TextColor.ANSI.WHITE_BRIGHT : p.focused() ? TextColor.ANSI.CYAN_BRIGHT : TextColor.ANSI.DEFAULT);
        g.setBackgroundColor(alarm ? TextColor.ANSI.RED : TextColor.ANSI.DEFAULT);
        g.enableModifiers(SGR.BOLD);
        g.putString(r.col() + 2, r.row(), Text.fit(" " + p.title() + " ", r.width() - 4));
        g.disableModifiers(SGR.BOLD);
        List<Line> lines = p.visible();
        for (int i = 0; i < lines.size(); i++) {
            put(g, new Placed(r.col() + 1, r.row() + 1 + i, lines.get(i), r.inner()), alarm);
        }
        if (!p.hint().isEmpty()) {
            g.setForegroundColor(alarm ? TextColor.ANSI.WHITE_BRIGHT : TextColor.ANSI.BLACK_BRIGHT);
            g.setBackgroundColor(alarm ? TextColor.ANSI.RED : TextColor.ANSI.DEFAULT);
            String fitted = Text.fit(p.hint(), r.width() - 4);
            g.putString(r.col() + r.width() - 2 - Text.columns(fitted), r.row() + r.height() - 1, fitted);
        }
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
    }

    private static void window(TextGraphics g, Window w) {
        Rect r = w.rect();
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.fillRectangle(new TerminalPosition(r.col(), r.row()), new TerminalSize(r.width(), r.height()), ' ');
        box(g, r, true, false);
        g.setForegroundColor(TextColor.ANSI.CYAN_BRIGHT);
        g.enableModifiers(SGR.BOLD);
        g.putString(r.col() + 2, r.row(), Text.fit(" " + w.title() + " ", r.width() - 4));
        g.clearModifiers();
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        for (Placed p : w.lines()) {
            put(g, p, false);
        }
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

    /** Writes a line's spans from its place, cut at its width; in an alarmed pane every span takes the alarm's look. */
    private static void put(TextGraphics g, Placed p, boolean alarm) {
        int used = 0;
        for (Line.Span span : p.line().spans()) {
            if (used >= p.width()) {
                break;
            }
            String text = Text.fit(span.text(), p.width() - used);
            apply(g, alarm ? Style.NEEDS_JC : span.style());
            g.putString(p.col() + used, p.row(), text);
            used += Text.columns(text);
            g.clearModifiers();
        }
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
    }

    /** How each style looks: the one place that names colours. */
    private record Look(TextColor fg, TextColor bg, boolean bold, boolean reverse) {}

    private static final Map<Style, Look> LOOKS = new EnumMap<>(Map.ofEntries(
            Map.entry(Style.NORMAL, new Look(TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, false, false)),
            Map.entry(Style.INPUT, new Look(TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, false, false)),
            Map.entry(Style.DIM, new Look(TextColor.ANSI.BLACK_BRIGHT, TextColor.ANSI.DEFAULT, false, false)),
            Map.entry(Style.BOLD, new Look(TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, true, false)),
            Map.entry(Style.HEADING, new Look(TextColor.ANSI.YELLOW, TextColor.ANSI.DEFAULT, true, false)),
            Map.entry(Style.AGENT, new Look(TextColor.ANSI.CYAN, TextColor.ANSI.DEFAULT, false, false)),
            Map.entry(Style.COORDINATOR, new Look(TextColor.ANSI.GREEN, TextColor.ANSI.DEFAULT, false, false)),
            Map.entry(Style.OPERATOR, new Look(TextColor.ANSI.MAGENTA_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            Map.entry(Style.SUMMARY, new Look(TextColor.ANSI.YELLOW, TextColor.ANSI.DEFAULT, false, false)),
            Map.entry(Style.OK, new Look(TextColor.ANSI.GREEN_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            Map.entry(Style.WARN, new Look(TextColor.ANSI.YELLOW_BRIGHT, TextColor.ANSI.DEFAULT, false, false)),
            Map.entry(Style.ERROR, new Look(TextColor.ANSI.RED_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            Map.entry(Style.PAUSED, new Look(TextColor.ANSI.YELLOW_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            Map.entry(Style.NEEDS_JC, new Look(TextColor.ANSI.WHITE_BRIGHT, TextColor.ANSI.RED, true, false)),
            Map.entry(Style.NOTICE, new Look(TextColor.ANSI.BLACK, TextColor.ANSI.YELLOW, true, false)),
            Map.entry(Style.KEY, new Look(TextColor.ANSI.CYAN_BRIGHT, TextColor.ANSI.DEFAULT, true, false)),
            Map.entry(Style.SELECTED, new Look(TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, false, true))));

    private static void apply(TextGraphics g, Style style) {
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
}
