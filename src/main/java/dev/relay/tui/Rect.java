package dev.relay.tui;

import com.googlecode.lanterna.TerminalSize;

/** A rectangle of the screen, in columns and rows; a bordered pane's text goes inside its border. */
record Rect(int col, int row, int width, int height) {
    int inner() {
        return Math.max(0, width - 2);
    }

    int innerHeight() {
        return Math.max(0, height - 2);
    }

    /** Whether a bordered pane fits (on a terminal too small, the layout's lower panes have no room). */
    boolean drawable() {
        return width >= 4 && height >= 2;
    }

    /** A window of at most {@code width} by {@code height} in the middle of the screen, leaving a margin of one. */
    static Rect centered(TerminalSize size, int width, int height) {
        int w = Math.min(size.getColumns() - 2, width);
        int h = Math.min(size.getRows() - 2, height);
        return new Rect((size.getColumns() - w) / 2, (size.getRows() - h) / 2, w, h);
    }
}
