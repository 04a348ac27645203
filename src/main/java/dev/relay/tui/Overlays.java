package dev.relay.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import dev.relay.core.DirectMessage;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Severity;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.QueueItems;
import dev.relay.trail.Trail;
import dev.relay.tui.ConsoleController.Flash;
import dev.relay.tui.ConsoleView.Placed;
import dev.relay.tui.ConsoleView.Window;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * What is drawn beside and over the panes, as pure functions to placed lines: the windows (help, quit, agent picker,
 * override editor, inbox and its editor, the waiting messages and their editor), the footer and the input line to an
 * attached agent. Tested without a terminal.
 */
final class Overlays {
    private static final String OVERRIDE_TITLE = "Override: the coordinator's next turn, as JC";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private Overlays() {}

    /** The input line to an attached agent, and where its cursor is. */
    record AgentInput(List<Placed> lines, TerminalPosition cursor) {}

    // ---- help ----------------------------------------------------------------------------------------------

    /** The help, from the key tables: keys with the same text share a row; the attached mode lists only its own. */
    static List<Line> helpLines() {
        List<Line> lines = new ArrayList<>();
        section(lines, "Console", KeyTables.table(ConsoleMode.NORMAL), List.of());
        section(lines, "Override editor (o)", KeyTables.table(ConsoleMode.EDIT_OVERRIDE), List.of());
        section(lines, "Inbox (i)", KeyTables.table(ConsoleMode.INBOX), List.of());
        section(lines, "Queue (w)", KeyTables.table(ConsoleMode.QUEUE), List.of());
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
        String text = ed.text();
        String title = DirectMessage.parse(text).map(d -> "Message straight to " + d.session()).orElse(OVERRIDE_TITLE);
        Line hint = completions.isEmpty()
                ? (text.isEmpty() ? Line.of(Style.DIM, "Start with @ and Tab to write to one agent.") : Line.EMPTY)
                : Line.of(Style.DIM, "sessions: ").then(Style.AGENT, String.join("  ", completions));
        return editor(size, ed, title, hint, KeyTables.table(ConsoleMode.EDIT_OVERRIDE));
    }

    /**
     * The editor of the text an action on inbox item {@code code} needs (an answer, how long to snooze), with the
     * item's title under it, or why it can no longer be acted on.
     */
    static Window answerEditor(TerminalSize size, TextEditor ed, String code, Action action, Optional<Item> item) {
        String title = action == Action.SNOOZE
                ? "Snooze " + code + " for how long? (30m, 2h, 1d)"
                : action == Action.REJECT ? "Reject " + code + ": a note for the coordinator (may be empty)"
                : action == Action.DENY ? "Deny " + code + ": what the model is told (may be empty)"
                : "Answer " + code + item.flatMap(Item::session).map(s -> ": what to tell " + s).orElse("");
        Line hint = item.filter(Item::isOpen).map(i -> Line.of(Style.DIM, i.title()))
                .orElseGet(() -> Line.of(Style.WARN, code + " is no longer open"
                        + item.flatMap(Item::resolution).map(r -> ": " + r).orElse("")));
        return editor(size, ed, title, hint, KeyTables.table(ConsoleMode.EDIT_ANSWER));
    }

    private static Window editor(TerminalSize size, TextEditor ed, String title, Line hint, List<KeyBinding> keys) {
        List<String> lines = ed.lines();
        int width = Math.min(size.getColumns() - 2, 100);
        int height = Math.min(size.getRows() - 2, Math.max(8, lines.size() + 5));
        Rect r = new Rect((size.getColumns() - width) / 2, size.getRows() - 1 - height, width, height);
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
        placed.add(new Placed(r.col() + 1, r.row() + r.height() - 3, hint, r.inner()));
        placed.add(new Placed(r.col() + 1, r.row() + r.height() - 2, keys(Line.EMPTY, keys), r.inner()));
        TerminalPosition cursor = new TerminalPosition(r.col() + 1 + ed.col() - hscroll, r.row() + 1 + ed.row() - first);
        return new Window(r, title, placed, Optional.of(cursor));
    }

    // ---- the inbox -----------------------------------------------------------------------------------------

    /**
     * The open items, most urgent first, {@code selected} highlighted and kept in view; under them the selected item's
     * text, history and the keys of the actions it takes.
     */
    static Window inbox(TerminalSize size, Inbox.Data inbox, int selected, Instant now) {
        List<Item> open = inbox.open();
        List<KeyBinding> closing = inboxKeysBesideActions();
        if (open.isEmpty()) {
            Rect r = Rect.centered(size, 60, 5);
            return new Window(r, "Inbox", List.of(
                    new Placed(r.col() + 2, r.row() + 1, Line.of("Nothing needs you."), r.inner() - 2),
                    new Placed(r.col() + 2, r.row() + 3, keys(Line.EMPTY, closing), r.inner() - 2)), Optional.empty());
        }
        int sel = Math.max(0, Math.min(selected, open.size() - 1));
        Item item = open.get(sel);
        Rect most = Rect.centered(size, 116, size.getRows());
        int width = most.inner() - 2;
        int room = most.innerHeight() - 4;   // the heading, a blank row after the list and before the keys, the keys
        int listRows = Math.min(open.size(), Math.max(1, Math.min(10, room / 3)));
        List<Line> details = inboxDetails(item, width, now);
        int detailRows = Math.max(0, Math.min(details.size(), room - listRows));
        Rect r = Rect.centered(size, 116, listRows + detailRows + 6);
        int col = r.col() + 2;
        List<Placed> placed = new ArrayList<>();
        int row = r.row() + 1;
        placed.add(new Placed(col, row++, inboxHeading(width), width));
        int first = Math.max(0, sel - listRows + 1);
        for (int i = first; i < first + listRows; i++) {
            placed.add(new Placed(col, row++, inboxRow(open.get(i), width, i == sel, now), width));
        }
        row++;
        for (int i = 0; i < detailRows; i++) {
            placed.add(new Placed(col, row++, details.get(i), width));
        }
        List<KeyBinding> acts = KeyTables.INBOX_ACTIONS.stream().filter(k -> k.actions().stream().anyMatch(item::takes))
                .map(KeyTables.InboxKey::binding).toList();
        List<KeyBinding> all = new ArrayList<>(acts);
        all.addAll(closing);
        placed.add(new Placed(col, r.row() + r.height() - 2, keys(Line.EMPTY, all), width));
        long waiting = inbox.waiting();
        String title = "Inbox · " + open.size() + " open" + (waiting < open.size() ? ", " + waiting + " not seen" : "")
                + (open.size() > 1 ? " · ↑↓ select" : "");
        return new Window(r, title, placed, Optional.empty());
    }

    /** The inbox's keys other than its actions (which the window offers for the selected item only). */
    private static List<KeyBinding> inboxKeysBesideActions() {
        return KeyTables.table(ConsoleMode.INBOX).stream()
                .filter(b -> KeyTables.INBOX_ACTIONS.stream().noneMatch(k -> k.binding().equals(b))).toList();
    }

    /** The widths of the list's columns: code, level, kind, session; the title takes what is left, then the tail. */
    private static final int[] INBOX_COLUMNS = {7, 6, 12, 12};
    private static final int INBOX_TAIL = 22;

    private static Line inboxHeading(int width) {
        return inboxRow(width, List.of("code", "level", "kind", "session", "title", tail("age", "n", "state")),
                Collections.nCopies(6, Style.DIM));
    }

    private static Line inboxRow(Item i, int width, boolean selected, Instant now) {
        Style level = switch (i.severity()) {
            case URGENT -> Style.ERROR;
            case HIGH -> Style.WARN;
            case NORMAL -> Style.DIM;
        };
        List<Style> styles = selected ? Collections.nCopies(6, Style.SELECTED) : List.of(Style.BOLD, level, Style.DIM,
                Style.AGENT, Style.NORMAL, i.state() == Item.State.OPEN ? Style.NORMAL : Style.DIM);
        return inboxRow(width, List.of(i.code(), i.severity().wire(), i.kind().wire(), i.session().orElse("-"), i.title(),
                tail(Text.age(Duration.between(i.createdAt(), now)), i.count() > 1 ? "×" + i.count() : "",
                        i.state().wire())), styles);
    }

    private static String tail(String age, String count, String state) {
        return String.format(" %4s %3s %-12s", age, count, state);
    }

    /** One row of the list, a cell in each style; the kind is left out when the window is narrow (the details name it). */
    private static Line inboxRow(int width, List<String> cells, List<Style> styles) {
        boolean withKind = width >= 90;
        int used = 1;
        Line line = Line.of(styles.get(0), " ");
        for (int c = 0; c < INBOX_COLUMNS.length; c++) {
            if (c == 2 && !withKind) {
                continue;
            }
            line = line.then(styles.get(c), pad(cells.get(c), INBOX_COLUMNS[c]) + " ");
            used += INBOX_COLUMNS[c] + 1;
        }
        int titleWidth = Math.max(4, width - used - INBOX_TAIL);
        return line.then(styles.get(4), pad(cells.get(4), titleWidth)).then(styles.get(5), cells.get(5));
    }

    private static String pad(String s, int width) {
        String fitted = Text.fit(Text.safe(s), width);
        return fitted + " ".repeat(Math.max(0, width - Text.columns(fitted)));
    }

    /** The selected item: what it says, since when, its state and what was done to it. */
    static List<Line> inboxDetails(Item i, int width, Instant now) {
        List<Line> out = new ArrayList<>();
        out.add(Line.of(Style.HEADING, i.title()).then(Style.DIM, "  " + i.kind().wire()
                + i.session().map(s -> " for " + s).orElse("") + ", raised " + CLOCK.format(i.createdAt())
                + " (" + Text.age(Duration.between(i.createdAt(), now)) + " ago)"
                + (i.count() > 1 ? ", " + i.count() + " times" : "")));
        for (String l : Text.wrapText(i.text() == null ? "" : i.text(), Math.max(10, width - 2))) {
            out.add(Line.of("  " + l));
        }
        switch (i.state()) {
            case ACKNOWLEDGED -> out.add(Line.of(Style.DIM, "acknowledged: no more pushes, still open"));
            case SNOOZED -> out.add(Line.of(Style.WARN, "snoozed until "
                    + i.snoozedUntil().map(CLOCK::format).orElse("?") + ": pushed again then"));
            default -> { }
        }
        if (!i.history().isEmpty()) {
            out.add(Line.of(Style.DIM, "history"));
            for (Item.Entry e : i.history()) {
                out.add(Line.of(Style.DIM, "  " + CLOCK.format(e.at()) + " ").then(Style.NORMAL, e.action().wire() + " "
                        + e.source().from() + e.text().map(t -> ": " + t.replace('\n', ' ')).orElse("")));
            }
        }
        return out;
    }

    // ---- the waiting messages ------------------------------------------------------------------------------

    /**
     * The waiting messages, oldest first, then under "Recent" the last messages of the trail that no longer wait, newest
     * first; {@code selected} (a place in both, the waiting first) highlighted and kept in view; under them the
     * selected one's text, its trace when shown, and the keys (a taken or done message offers no change; a cancel asks
     * first).
     */
    static Window queue(TerminalSize size, List<QueueItems.Item> items, List<Recent> recent, int selected,
                        Optional<List<Trail.Step>> trace, boolean confirming, Instant now) {
        if (items.isEmpty() && recent.isEmpty()) {
            List<KeyBinding> closing = queueClosingKeys();
            Rect r = Rect.centered(size, 60, 5);
            return new Window(r, "Queue", List.of(
                    new Placed(r.col() + 2, r.row() + 1, Line.of("Nothing waits."), r.inner() - 2),
                    new Placed(r.col() + 2, r.row() + 3, keys(Line.EMPTY, closing), r.inner() - 2)), Optional.empty());
        }
        int sel = Math.max(0, Math.min(selected, items.size() + recent.size() - 1));
        Optional<QueueItems.Item> item = sel < items.size() ? Optional.of(items.get(sel)) : Optional.empty();
        Rect most = Rect.centered(size, 116, size.getRows());
        int width = most.inner() - 2;
        int room = most.innerHeight() - 4;   // the heading, a blank row after the list and before the keys, the keys
        List<Line> rows = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            rows.add(queueRow(items.get(i), width, i == sel, now));
        }
        int selRow = sel;
        if (!recent.isEmpty()) {
            rows.add(Line.of(Style.HEADING, " Recent").then(Style.DIM, " · no longer waiting, newest first"));
            for (int i = 0; i < recent.size(); i++) {
                rows.add(recentRow(recent.get(i), width, items.size() + i == sel));
            }
            selRow = sel < items.size() ? sel : sel + 1;
        }
        int listRows = Math.min(rows.size(), Math.max(1, Math.min(10, room / 3)));
        List<Line> details = item.isPresent() ? queueDetails(item.get(), trace, width, now)
                : recentDetails(recent.get(sel - items.size()), trace, width, now);
        int detailRows = Math.max(0, Math.min(details.size(), room - listRows));
        Rect r = Rect.centered(size, 116, listRows + detailRows + 6);
        int col = r.col() + 2;
        List<Placed> placed = new ArrayList<>();
        int row = r.row() + 1;
        placed.add(new Placed(col, row++, queueRow(width, List.of("id", "kind", "session", "age", "size", "preview"),
                Collections.nCopies(6, Style.DIM)), width));
        int first = Math.max(0, selRow - listRows + 1);
        for (int i = first; i < first + listRows; i++) {
            placed.add(new Placed(col, row++, rows.get(i), width));
        }
        row++;
        for (int i = 0; i < detailRows; i++) {
            placed.add(new Placed(col, row++, details.get(i), width));
        }
        Line keys;
        if (confirming && item.isPresent()) {
            keys = keys(Line.of(Style.WARN, "Cancel " + item.get().id() + " (" + item.get().kind().wire()
                    + item.get().session().map(s -> " for " + s).orElse("") + ")?  "), KeyTables.table(ConsoleMode.CONFIRM_CANCEL));
        } else {
            boolean changeable = item.isPresent() && !item.get().taken();
            keys = keys(Line.EMPTY, KeyTables.table(ConsoleMode.QUEUE).stream()
                    .filter(b -> changeable || !KeyTables.QUEUE_CHANGES.contains(b.key())).toList());
        }
        placed.add(new Placed(col, r.row() + r.height() - 2, keys, width));
        long taken = items.stream().filter(QueueItems.Item::taken).count();
        String title = "Queue · " + (items.isEmpty() ? "nothing waits" : items.size() + " waiting")
                + (taken > 0 ? ", " + taken + " taken" : "")
                + (items.size() + recent.size() > 1 ? " · ↑↓ select" : "");
        return new Window(r, title, placed, Optional.empty());
    }

    /** The queue's keys that close it (the window offers the others, as the selected message takes them). */
    private static List<KeyBinding> queueClosingKeys() {
        return KeyTables.table(ConsoleMode.QUEUE).stream().filter(b -> b.name().equals("Close")).toList();
    }

    /** The widths of the list's columns: id, kind, session, age, size; the preview takes what is left. */
    private static final int[] QUEUE_COLUMNS = {8, 9, 14, 4, 6};

    private static Line queueRow(QueueItems.Item i, int width, boolean selected, Instant now) {
        List<Style> styles = selected ? Collections.nCopies(6, Style.SELECTED) : i.taken()
                ? Collections.nCopies(6, Style.DIM)
                : List.of(Style.BOLD, Style.DIM, Style.AGENT, Style.DIM, Style.DIM, Style.NORMAL);
        return queueRow(width, List.of(i.id(), i.kind().wire(), i.session().orElse("-"),
                Text.age(Duration.between(i.queuedAt(), now)), Text.bytes(i.size()),
                (i.taken() ? "taken · " : "") + i.preview()), styles);
    }

    private static Line queueRow(int width, List<String> cells, List<Style> styles) {
        Line line = Line.of(styles.get(0), " ");
        int used = 1;
        for (int c = 0; c < QUEUE_COLUMNS.length; c++) {
            boolean right = c == 3 || c == 4;   // the age and the size
            String cell = right ? String.format("%" + QUEUE_COLUMNS[c] + "s", cells.get(c)) : pad(cells.get(c), QUEUE_COLUMNS[c]);
            line = line.then(styles.get(c), cell + " ");
            used += QUEUE_COLUMNS[c] + 1;
        }
        return line.then(styles.get(5), pad(cells.get(5).replace('\n', ' '), Math.max(4, width - used)));
    }

    /** The widths of a recent message's columns: name, session; its last step and when take what is left. */
    private static final int[] RECENT_COLUMNS = {36, 14};

    /** A message that no longer waits: " NAME  SESSION  read 08:12". */
    private static Line recentRow(Recent m, int width, boolean selected) {
        List<Style> styles = selected ? Collections.nCopies(3, Style.SELECTED) : List.of(Style.DIM, Style.AGENT, Style.NORMAL);
        return Line.of(styles.get(0), " " + pad(m.name(), RECENT_COLUMNS[0]) + " ")
                .then(styles.get(1), pad(m.session() == null ? "-" : m.session(), RECENT_COLUMNS[1]) + " ")
                .then(styles.get(2), pad(lastStep(m), Math.max(4, width - 3 - RECENT_COLUMNS[0] - RECENT_COLUMNS[1])));
    }

    /** A recent message's last step and when: "read 08:12". */
    static String lastStep(Recent m) {
        return m.last().step() + " " + CLOCK.format(m.last().instant());
    }

    /** A message that no longer waits: what it was, its last step, its first recorded text and, when shown, its trace. */
    static List<Line> recentDetails(Recent m, Optional<List<Trail.Step>> trace, int width, Instant now) {
        List<Line> out = new ArrayList<>();
        out.add(Line.of(Style.HEADING, m.name()).then(Style.DIM, (m.session() == null ? "" : "  for " + m.session())
                + ", last " + m.last().step() + " " + CLOCK.format(m.last().instant())
                + " (" + Text.age(Duration.between(m.last().instant(), now)) + " ago)"));
        out.add(Line.of(Style.DIM, "no longer waiting: it can no longer be changed"));
        List<String> text = Text.wrapText(m.text() == null ? "" : m.text(), Math.max(10, width - 2));
        for (int n = 0; n < Math.min(3, text.size()); n++) {
            out.add(Line.of("  " + text.get(n)));
        }
        if (trace.isPresent()) {
            out.add(Line.of(Style.DIM, "trace of " + m.name()));
            for (Trail.Step s : trace.get()) {
                out.add(traceLine(s));
            }
        }
        return out;
    }

    /** The selected message: what it is, whether it can still be changed, its text and, when shown, its trace. */
    static List<Line> queueDetails(QueueItems.Item i, Optional<List<Trail.Step>> trace, int width, Instant now) {
        List<Line> out = new ArrayList<>();
        out.add(Line.of(Style.HEADING, i.id()).then(Style.DIM, "  " + i.kind().wire()
                + i.session().map(s -> " for " + s).orElse("") + ", queued " + CLOCK.format(i.queuedAt())
                + " (" + Text.age(Duration.between(i.queuedAt(), now)) + " ago), " + Text.bytes(i.size())));
        i.takenBy().ifPresent(by -> out.add(Line.of(Style.WARN, "taken: " + by + "; it can no longer be changed")));
        List<String> text = Text.wrapText(i.text() == null ? "" : i.text(), Math.max(10, width - 2));
        int shown = trace.isPresent() ? 3 : 8;
        for (int n = 0; n < Math.min(shown, text.size()); n++) {
            out.add(Line.of("  " + text.get(n)));
        }
        if (text.size() > shown) {
            out.add(Line.of(Style.DIM, "  … " + (text.size() - shown) + " more lines (e shows them all)"));
        }
        if (trace.isPresent()) {
            out.add(Line.of(Style.DIM, "trace of " + ConsoleController.messageName(i)));
            if (trace.get().isEmpty()) {
                out.add(Line.of(Style.DIM, "  no step recorded yet"));
            }
            for (Trail.Step s : trace.get()) {
                out.add(traceLine(s));
            }
        }
        return out;
    }

    /** One step of a message: "09:58:02 queued     by cli (backend): the text". */
    static Line traceLine(Trail.Step s) {
        Line line = Line.of(Style.DIM, "  " + SECONDS.format(s.instant()) + " ")
                .then(Style.BOLD, String.format("%-10s", s.step()));
        StringBuilder b = new StringBuilder();
        if (s.by() != null) {
            b.append(" by ").append(s.by());
        }
        if (s.session() != null) {
            b.append(" (").append(s.session()).append(')');
        }
        line = line.then(Style.DIM, b.toString());
        if (s.text() != null) {
            line = line.then(Style.NORMAL, ": " + s.text().replace('\n', ' '));
        }
        return line;
    }

    /** The editor of a waiting message's new text, or why it can no longer be changed. */
    static Window waitingEditor(TerminalSize size, TextEditor ed, String id, Optional<QueueItems.Item> item) {
        String title = "Edit " + id + item.map(i -> ": the " + i.kind().wire() + i.session().map(s -> " for " + s).orElse(""))
                .orElse("");
        Line hint = item.isEmpty() ? Line.of(Style.WARN, id + " no longer waits: taken or cancelled")
                : item.get().taken()
                ? Line.of(Style.WARN, "taken: " + item.get().takenBy().get() + "; it can no longer be changed")
                : Line.of(Style.DIM, "The original is kept aside; Esc goes back without changing it.");
        return editor(size, ed, title, hint, KeyTables.table(ConsoleMode.EDIT_WAITING));
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

    /**
     * The last row: a message while it lasts, else the mode's main keys (the panes' keys under the help, the inbox's
     * own keys under its window, which offers the actions); before them, the count of inbox items nobody has seen yet,
     * red if one is urgent.
     */
    static Line footer(ConsoleMode mode, Optional<Flash> flash, boolean needsJc, Inbox.Data inbox) {
        long waiting = inbox.waiting();
        boolean urgent = inbox.open().stream()
                .anyMatch(i -> i.state() == Item.State.OPEN && i.severity() == Severity.URGENT);
        Style badge = urgent ? Style.NEEDS_JC : Style.NOTICE;
        if (flash.isPresent()) {
            Line start = waiting == 0 ? Line.EMPTY : Line.of(" ").then(badge, " inbox " + waiting + " ");
            return start.then(flash.get().style(), " " + flash.get().text());
        }
        Line line = needsJc && mode == ConsoleMode.NORMAL
                ? Line.of(Style.NEEDS_JC, " NEEDS JC ").then(Style.NORMAL, " ")
                : Line.of(" ");
        if (waiting > 0) {
            line = line.then(badge, " inbox " + waiting + " ").then(Style.NORMAL, " ");
        }
        List<KeyBinding> table = switch (mode) {
            case HELP -> KeyTables.table(ConsoleMode.NORMAL);
            case INBOX -> inboxKeysBesideActions();
            case QUEUE -> queueClosingKeys();
            default -> KeyTables.table(mode);
        };
        return keys(line, table);
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
