package dev.relay.tui;

import com.googlecode.lanterna.TerminalSize;

/**
 * Where the panes sit on a terminal of a given size: queue and status side by side on top, conversation and logs
 * below (side by side when the screen is wide), the footer on the last row. Computed before keys are handled, so that
 * the controller knows each pane's page.
 */
record Layout(TerminalSize size, Rect queue, Rect status, Rect conversation, Rect logs, Rect footer) {
    static Layout of(TerminalSize size) {
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
        return new Layout(size, queue, status, conversation, logs, new Rect(0, h - 1, w, 1));
    }

    /** The logs pane while attached to an agent: its last row is left to the input line. */
    Rect agent() {
        return new Rect(logs.col(), logs.row(), logs.width(), Math.max(3, logs.height() - 1));
    }

    /** The row of the input line to an attached agent. */
    int agentInputRow() {
        return logs.row() + logs.height() - 1;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
