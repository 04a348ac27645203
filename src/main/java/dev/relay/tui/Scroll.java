package dev.relay.tui;

import dev.relay.tui.ConsoleView.PaneView;
import java.util.List;

/** Scrolling of one pane, owned by the controller; {@code follow} keeps the newest line in view. */
final class Scroll {
    private int top;
    private boolean follow;
    private int page = 1;
    private int lines;

    Scroll(boolean follow) {
        this.follow = follow;
    }

    /** Takes the pane's page and line count for the frame, and keeps {@code top} within them. */
    void fit(int rows, int count) {
        page = Math.max(1, rows);
        lines = count;
        int maxTop = Math.max(0, count - rows);
        if (follow) {
            top = maxTop;
        }
        top = Math.max(0, Math.min(maxTop, top));
    }

    void by(int delta) {
        if (follow) {
            top = Math.max(0, lines - page);
        }
        top = Math.max(0, Math.min(Math.max(0, lines - page), top + delta));
        follow = top >= lines - page;
    }

    /** A page up (-1) or down (1), keeping one line of the last page in view. */
    void page(int direction) {
        by(direction * Math.max(1, page - 1));
    }

    void toTop() {
        top = 0;
        follow = false;
    }

    void follow() {
        follow = true;
    }

    /** The pane as drawn after {@link #fit}: its lines in view and the hint on its bottom border. */
    PaneView view(PaneContents.Content c, boolean focused) {
        List<Line> all = c.lines();
        int rows = c.rect().innerHeight();
        String hint = "";
        if (all.size() > rows) {
            int below = all.size() - (top + rows);
            hint = below > 0
                    ? " ↓ " + below + " more" + (c.followable() && !follow ? " · End follows " : " ")
                    : " ↑ " + top + " above ";
        }
        return new PaneView(c.rect(), c.title(), all.subList(top, Math.min(all.size(), top + rows)), focused, c.alarm(), hint);
    }
}
