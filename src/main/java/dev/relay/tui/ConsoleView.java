package dev.relay.tui;

import com.googlecode.lanterna.TerminalPosition;
import java.util.List;
import java.util.Optional;

/**
 * One frame of the console, made by the controller from a snapshot and its own state: all the renderer draws, and
 * nothing it has to work out.
 *
 * @param panes   the bordered panes, in drawing order
 * @param lines   lines outside the panes, drawn after them: the input line to an attached agent, the footer
 * @param overlay the window over the panes (help, quit, agent picker, editor), if one is open
 * @param cursor  where the terminal's cursor goes while an input is open; empty hides it
 */
record ConsoleView(List<PaneView> panes, List<Placed> lines, Optional<Window> overlay, Optional<TerminalPosition> cursor) {
    ConsoleView {
        panes = List.copyOf(panes);
        lines = List.copyOf(lines);
    }

    /**
     * A pane as drawn: the lines in view, and the hint for its bottom border ("" when every line is in view).
     *
     * @param alarm the whole pane in the needs_jc colours
     */
    record PaneView(Rect rect, String title, List<Line> visible, boolean focused, boolean alarm, String hint) {
        PaneView {
            visible = List.copyOf(visible);
        }
    }

    /** A line at a place on the screen, cut at {@code width} columns. */
    record Placed(int col, int row, Line line, int width) {}

    /** A bordered window with a title; its lines are placed on the screen, not in the window. */
    record Window(Rect rect, String title, List<Placed> lines, Optional<TerminalPosition> cursor) {
        Window {
            lines = List.copyOf(lines);
        }
    }
}
