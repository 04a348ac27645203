package dev.relay.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.relay.core.DirectMessage;
import dev.relay.core.SessionId;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Source;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.OperatorActions;
import dev.relay.monitor.QueueItems;
import dev.relay.tui.ConsoleView.PaneView;
import dev.relay.tui.ConsoleView.Placed;
import dev.relay.trail.Trail;
import dev.relay.tui.ConsoleView.Window;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's state (mode, focus, scrolling, editors), what each key does to it ({@link KeyTables}), and the
 * {@link ConsoleView} of each frame. Console thread only.
 */
public final class ConsoleController {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleController.class);

    /** A message in the footer until {@code until}. */
    public record Flash(String text, Style style, Instant until) {}

    /** The action on an inbox item whose text is being typed. */
    record Prompt(String code, Action action) {}

    private final OperatorActions actions;
    private final Supplier<HomeSnapshot> snapshots;
    private final Clock clock;
    private final ConsoleHost host;
    private final Runnable afterAction;
    private final Consumer<Optional<String>> onAttach;
    private final PaneContents contents = new PaneContents();
    private final Map<Pane, Scroll> scrolls = new EnumMap<>(Pane.class);
    private final TextEditor editor = new TextEditor();
    private final TextEditor agentInput = new TextEditor();
    private final TextEditor answerEditor = new TextEditor();
    private final TextEditor waitingEditor = new TextEditor();
    private Optional<Prompt> prompt = Optional.empty();
    private Optional<String> inboxCode = Optional.empty();
    private int inboxIndex;
    private List<QueueItems.Item> waiting = List.of();
    private Optional<String> waitingId = Optional.empty();
    private int waitingIndex;
    private Optional<List<Trail.Step>> trace = Optional.empty();
    /** The trail as read when the queue window opened or {@code t} was last pressed (not on every tick). */
    private List<Trail.Step> trailSteps = List.of();
    private List<Recent> recent = List.of();
    private Optional<String> recentName = Optional.empty();
    private Optional<String> editingId = Optional.empty();
    private ConsoleMode mode = ConsoleMode.NORMAL;
    private Pane focus = Pane.CONVERSATION;
    private Optional<String> attached = Optional.empty();
    private int pickIndex;
    private int helpTop;
    private Flash flash;
    private Flash lastError;
    private boolean quit;

    /**
     * @param afterAction run after an action on the relay (to look at the home again soon)
     * @param onAttach    told which agent the logs pane follows, if any
     */
    public ConsoleController(OperatorActions actions, Supplier<HomeSnapshot> snapshots, Clock clock, ConsoleHost host,
                             Runnable afterAction, Consumer<Optional<String>> onAttach) {
        this.actions = actions;
        this.snapshots = snapshots;
        this.clock = clock;
        this.host = host;
        this.afterAction = afterAction;
        this.onAttach = onAttach;
        scrolls.put(Pane.QUEUE, new Scroll(false));
        scrolls.put(Pane.CONVERSATION, new Scroll(true));
        scrolls.put(Pane.LOGS, new Scroll(true));
        scrolls.put(Pane.STATUS, new Scroll(false));
    }

    public ConsoleMode mode() {
        return mode;
    }

    public Pane focus() {
        return focus;
    }

    public Optional<String> attached() {
        return attached;
    }

    public boolean quitRequested() {
        return quit;
    }

    public Optional<Flash> flash() {
        Flash f = flash;
        return f != null && clock.instant().isBefore(f.until()) ? Optional.of(f) : Optional.empty();
    }

    /** The console's own last error (an action refused, a frame not drawn), kept in the status pane for a while. */
    public Optional<Flash> lastError() {
        Flash e = lastError;
        return e != null && clock.instant().isBefore(e.until()) ? Optional.of(e) : Optional.empty();
    }

    /** Handles one key stroke; never throws (a failed action is shown as a message and logged). */
    public void handle(KeyStroke stroke) {
        if (stroke.getKeyType() == KeyType.EOF) {
            quit = true;
            return;
        }
        Key key = Key.from(stroke);
        try {
            for (KeyBinding b : KeyTables.table(mode)) {
                if (b.key().equals(key)) {
                    b.action().accept(this);
                    return;
                }
            }
            KeyTables.otherKeys(mode).accept(this, stroke);
        } catch (OperatorActions.Refused e) {
            say(e.getMessage(), Style.ERROR);
        } catch (RuntimeException e) {
            LOG.warn("console action for key {} failed", key, e);
            say("that did not work: " + e.getMessage() + " (details in logs/relay.log)", Style.ERROR);
        }
    }

    void say(String text, Style style) {
        flash = new Flash(text, style, clock.instant().plus(Duration.ofSeconds(style == Style.ERROR ? 10 : 4)));
        if (style == Style.ERROR) {
            lastError = new Flash(text, style, clock.instant().plus(Duration.ofMinutes(2)));
        }
    }

    // ---- the frame -------------------------------------------------------------------------------------------

    /** Lays the panes out for {@code s} on a screen of {@code size}, so that the keys that follow scroll by its pages. */
    public void layOut(HomeSnapshot s, TerminalSize size, Instant now) {
        fit(s, Layout.of(size), now);
    }

    /** The frame to draw for {@code s} on a screen of {@code size}. */
    public ConsoleView view(HomeSnapshot s, TerminalSize size, Instant now) {
        Layout l = Layout.of(size);
        List<PaneView> panes = new ArrayList<>();
        fit(s, l, now).forEach((pane, c) -> {
            if (c.rect().drawable()) {
                panes.add(scrolls.get(pane).view(c, focus == pane));
            }
        });
        List<Placed> lines = new ArrayList<>();
        Optional<TerminalPosition> cursor = Optional.empty();
        if (attached.isPresent()) {
            Overlays.AgentInput input = Overlays.agentInput(l, attached.get(), agentInput);
            lines.addAll(input.lines());
            if (mode == ConsoleMode.AGENT_CHAT) {
                cursor = Optional.of(input.cursor());
            }
        }
        Rect footer = l.footer();
        lines.add(new Placed(footer.col(), footer.row(), Overlays.footer(mode, flash(), s.needsJc(), s.inbox()),
                footer.width()));
        Optional<Window> overlay = switch (mode) {
            case HELP -> Optional.of(Overlays.help(size, helpTop));
            case CONFIRM_QUIT -> Optional.of(Overlays.confirmQuit(size, host, s));
            case PICK_AGENT -> Optional.of(Overlays.picker(size, s, pickIndex));
            case EDIT_OVERRIDE -> Optional.of(Overlays.editor(size, editor, completions()));
            case INBOX -> Optional.of(Overlays.inbox(size, s.inbox(), inboxSelection(s.inbox().open()), now));
            case EDIT_ANSWER -> prompt.map(p -> Overlays.answerEditor(size, answerEditor, p.code(), p.action(),
                    s.inbox().find(p.code())));
            case QUEUE, CONFIRM_CANCEL -> Optional.of(Overlays.queue(size, waiting, recent, queueSelection(), trace,
                    mode == ConsoleMode.CONFIRM_CANCEL, now));
            case EDIT_WAITING -> editingId.map(id -> Overlays.waitingEditor(size, waitingEditor, id,
                    waiting.stream().filter(i -> i.id().equals(id)).findFirst()));
            default -> Optional.empty();
        };
        if (overlay.isPresent() && overlay.get().cursor().isPresent()) {
            cursor = overlay.get().cursor();
        }
        return new ConsoleView(panes, lines, overlay, cursor);
    }

    private Map<Pane, PaneContents.Content> fit(HomeSnapshot s, Layout l, Instant now) {
        Map<Pane, PaneContents.Content> panes = contents.of(s, l, host, attached, lastError().map(Flash::text), now);
        panes.forEach((pane, c) -> {
            if (c.rect().drawable()) {
                scrolls.get(pane).fit(c.rect().innerHeight(), c.lines().size());
            }
        });
        helpTop = Math.min(helpTop, Overlays.helpMaxTop(l.size()));
        return panes;
    }

    /** Live completions while the first word is "@...". */
    List<String> completions() {
        if (mode != ConsoleMode.EDIT_OVERRIDE) {
            return List.of();
        }
        Optional<String> prefix = editor.sessionPrefix();
        if (prefix.isEmpty()) {
            return List.of();
        }
        return snapshots.get().sessions().stream().filter(s -> s.startsWith(prefix.get())).toList();
    }

    // ---- actions (bound in KeyTables) ------------------------------------------------------------------------

    TextEditor editor() {
        return editor;
    }

    TextEditor agentInput() {
        return agentInput;
    }

    TextEditor answerEditor() {
        return answerEditor;
    }

    /** Back to the panes, or to the attached agent. */
    void closeOverlay() {
        mode = attached.isPresent() ? ConsoleMode.AGENT_CHAT : ConsoleMode.NORMAL;
    }

    void cycleFocus(int step) {
        Pane[] panes = Pane.values();
        focus = panes[Math.floorMod(focus.ordinal() + step, panes.length)];
    }

    void scroll(int delta) {
        scrolls.get(focus).by(delta);
    }

    void page(int direction) {
        scrolls.get(focus).page(direction);
    }

    void top() {
        scrolls.get(focus).toTop();
    }

    void follow() {
        scrolls.get(focus).follow();
    }

    void openHelp() {
        mode = ConsoleMode.HELP;
        helpTop = 0;
    }

    void scrollHelp(int delta) {
        helpTop = Math.max(0, helpTop + delta);
    }

    void askToQuit() {
        mode = ConsoleMode.CONFIRM_QUIT;
    }

    void quit() {
        quit = true;
    }

    void stay() {
        mode = ConsoleMode.NORMAL;
    }

    void openOverride() {
        mode = ConsoleMode.EDIT_OVERRIDE;
    }

    void cancelEditor() {
        closeOverlay();
        if (!editor.isBlank()) {
            say("override not sent (the text is kept: o to go on)", Style.DIM);
        }
    }

    void editorEnter() {
        if (editor.before() == '\\') {
            editor.backspace();
            editor.newline();
            return;
        }
        String text = editor.text();
        if (text.isBlank()) {
            say("nothing to send: type a message, or Esc to close", Style.WARN);
            return;
        }
        actions.override(text);
        editor.clear();
        closeOverlay();
        say(DirectMessage.parse(text).map(d -> "sent to " + d.session() + " directly")
                .orElse("sent: the coordinator's next turn is yours"), Style.OK);
        afterAction.run();
    }

    void complete() {
        Optional<String> prefix = editor.sessionPrefix();
        if (prefix.isEmpty()) {
            if (editor.text().isEmpty()) {
                editor.insert('@');
            }
            return;
        }
        List<String> matches = snapshots.get().sessions().stream().filter(s -> s.startsWith(prefix.get())).toList();
        if (matches.isEmpty()) {
            say("no session starts with \"" + prefix.get() + "\"", Style.WARN);
        } else if (matches.size() == 1) {
            editor.replaceFirstWord("@" + matches.get(0) + ": ");
        } else {
            String common = matches.get(0);
            for (String m : matches) {
                int i = 0;
                while (i < common.length() && i < m.length() && common.charAt(i) == m.charAt(i)) {
                    i++;
                }
                common = common.substring(0, i);
            }
            if (common.length() > prefix.get().length()) {
                editor.replaceFirstWord("@" + common);
            }
        }
    }

    void pause() {
        actions.pause();
        say(snapshots.get().relayLive() ? "pause requested" : "no relay is running: it starts paused", Style.PAUSED);
        afterAction.run();
    }

    void resume() {
        actions.resume();
        say(snapshots.get().relayLive() ? "resume requested" : "no relay is running: the resume waits for it", Style.OK);
        afterAction.run();
    }

    void openPicker() {
        if (snapshots.get().sessions().isEmpty()) {
            say("no agents yet: configure sessions in config.yaml, or wait for an envelope", Style.WARN);
            return;
        }
        pickIndex = attached.map(a -> Math.max(0, snapshots.get().sessions().indexOf(a))).orElse(0);
        mode = ConsoleMode.PICK_AGENT;
    }

    void movePick(int delta) {
        int n = snapshots.get().sessions().size();
        if (n > 0) {
            pickIndex = Math.floorMod(pickIndex + delta, n);
        }
    }

    void pick() {
        List<String> sessions = snapshots.get().sessions();
        if (sessions.isEmpty()) {
            mode = ConsoleMode.NORMAL;
            return;
        }
        attached = Optional.of(sessions.get(Math.min(pickIndex, sessions.size() - 1)));
        onAttach.accept(attached);
        agentInput.clear();
        scrolls.get(Pane.LOGS).follow();
        focus = Pane.LOGS;
        mode = ConsoleMode.AGENT_CHAT;
        say("attached to " + attached.get() + ": type to send it a message, Esc to detach", Style.OK);
    }

    void detach() {
        attached = Optional.empty();
        onAttach.accept(attached);
        agentInput.clear();
        scrolls.get(Pane.LOGS).follow();
        mode = ConsoleMode.NORMAL;
    }

    void agentEnter() {
        String text = agentInput.text();
        if (text.isBlank() || attached.isEmpty()) {
            return;
        }
        actions.sendTo(SessionId.of(attached.get()), text);
        agentInput.clear();
        say("sent to " + attached.get(), Style.OK);
        afterAction.run();
    }

    // ---- the inbox -------------------------------------------------------------------------------------------

    void openInbox() {
        mode = ConsoleMode.INBOX;
    }

    /** The selected item's place in {@code open}: the same item while it is there, else the same place. */
    int inboxSelection(List<Item> open) {
        if (open.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < open.size(); i++) {
            if (inboxCode.isPresent() && open.get(i).code().equals(inboxCode.get())) {
                return i;
            }
        }
        return Math.min(inboxIndex, open.size() - 1);
    }

    private Optional<Item> selectedItem() {
        List<Item> open = snapshots.get().inbox().open();
        int i = inboxSelection(open);
        return i < 0 ? Optional.empty() : Optional.of(open.get(i));
    }

    void moveInbox(int delta) {
        List<Item> open = snapshots.get().inbox().open();
        if (open.isEmpty()) {
            return;
        }
        inboxIndex = Math.max(0, Math.min(open.size() - 1, inboxSelection(open) + delta));
        inboxCode = Optional.of(open.get(inboxIndex).code());
    }

    /** The selected item, if it takes {@code action}; else says why not. */
    private Optional<Item> target(Action action) {
        Optional<Item> item = selectedItem();
        if (item.isEmpty()) {
            say("Nothing needs you.", Style.DIM);
            return Optional.empty();
        }
        Item i = item.get();
        if (!i.takes(action)) {
            say(i.code() + " (" + i.kind().wire() + ") does not take " + action.wire() + "; it takes "
                    + String.join(", ", i.kind().actions().stream().map(Action::wire).toList()), Style.WARN);
            return Optional.empty();
        }
        return item;
    }

    void inboxAct(Action action) {
        target(action).ifPresent(i -> outcome(actions.act(Inbox.Request.of(i.code(), action, Source.CONSOLE))));
    }

    void inboxAnswer() {
        target(Action.ANSWER).ifPresent(i -> openPrompt(new Prompt(i.code(), Action.ANSWER)));
    }

    /** y: the held reply sent as it is, or the permission allowed: whichever the selected item takes. */
    void inboxYes() {
        inboxAct(selectedItem().filter(i -> i.takes(Action.ALLOW)).isPresent() ? Action.ALLOW : Action.APPROVE);
    }

    /** n: the held reply rejected, or the permission denied, each with a note typed in the editor (it may be empty). */
    void inboxNo() {
        Action a = selectedItem().filter(i -> i.takes(Action.DENY)).isPresent() ? Action.DENY : Action.REJECT;
        target(a).ifPresent(i -> openPrompt(new Prompt(i.code(), a)));
    }

    void inboxSnoozeFor() {
        target(Action.SNOOZE).ifPresent(i -> openPrompt(new Prompt(i.code(), Action.SNOOZE)));
    }

    /** Opens the editor for {@code p}; what was typed for it before (and not sent) is still there. */
    private void openPrompt(Prompt p) {
        if (!prompt.equals(Optional.of(p))) {
            answerEditor.clear();
        }
        prompt = Optional.of(p);
        mode = ConsoleMode.EDIT_ANSWER;
    }

    void cancelAnswer() {
        mode = ConsoleMode.INBOX;
    }

    void answerEnter() {
        if (prompt.isEmpty()) {
            mode = ConsoleMode.INBOX;
            return;
        }
        if (answerEditor.before() == '\\') {
            answerEditor.backspace();
            answerEditor.newline();
            return;
        }
        String text = answerEditor.text();
        if (text.isBlank() && (prompt.get().action() == Action.REJECT || prompt.get().action() == Action.DENY)) {
            Inbox.Outcome o = actions.act(Inbox.Request.of(prompt.get().code(), prompt.get().action(), Source.CONSOLE));
            prompt = Optional.empty();
            mode = ConsoleMode.INBOX;
            outcome(o);
            return;
        }
        if (text.isBlank()) {
            say(prompt.get().action() == Action.SNOOZE ? "how long? 30m, 2h, 1d; or Esc to go back"
                    : "nothing to send: type the answer, or Esc to go back", Style.WARN);
            return;
        }
        Inbox.Outcome o = actions.act(Inbox.Request.of(prompt.get().code(), prompt.get().action(), text, Source.CONSOLE));
        if (o instanceof Inbox.Outcome.Applied) {
            answerEditor.clear();
            prompt = Optional.empty();
        }
        mode = ConsoleMode.INBOX;
        outcome(o);
    }

    /** What an action came to, in the footer: "K7Q2M: acknowledged", or why it was refused. */
    private void outcome(Inbox.Outcome o) {
        if (o instanceof Inbox.Outcome.Applied a) {
            Action done = a.entry().action();
            String what = done == Action.SNOOZE
                    ? "snoozed for " + a.entry().text().orElse("1h")
                    : done.done().toLowerCase(Locale.ROOT);
            boolean relayDoesIt = done.resolves() && done != Action.RESOLVE;
            String waits = relayDoesIt && !snapshots.get().relayLive() ? " (no relay is running: it waits for one)" : "";
            say(a.item().code() + ": " + what + waits, Style.OK);
        } else if (o instanceof Inbox.Outcome.Refused r) {
            say(r.reason(), Style.ERROR);
        }
        afterAction.run();
    }

    // ---- the waiting messages --------------------------------------------------------------------------------

    TextEditor waitingEditor() {
        return waitingEditor;
    }

    void openQueue() {
        trace = Optional.empty();
        trailSteps = actions.trail();
        refreshWaiting();
        mode = ConsoleMode.QUEUE;
    }

    /**
     * Reads what waits again (the relay may have taken some since), lists under it the recent messages of the trail as
     * last read, and loads the selected message's trace if shown.
     */
    private void refreshWaiting() {
        waiting = actions.waiting();
        recent = Recent.of(trailSteps, waiting.stream().map(ConsoleController::messageName).toList(), RECENT);
        loadTrace();
    }

    /** The last messages of the trail the window lists under those waiting. */
    static final int RECENT = 15;

    private void loadTrace() {
        if (trace.isPresent()) {
            Optional<Recent> r = selectedRecent();
            trace = Optional.of(r.isPresent() ? Trail.of(trailSteps, r.get().name())
                    : selectedWaiting().map(i -> actions.trace(messageName(i))).orElse(List.of()));
        }
    }

    /**
     * The selected message's place in the list, the waiting ones first and then the recent ones: the same message
     * while it is listed, else the same place.
     */
    int queueSelection() {
        int total = waiting.size() + recent.size();
        if (total == 0) {
            return -1;
        }
        for (int i = 0; i < waiting.size(); i++) {
            if (waitingId.isPresent() && waiting.get(i).id().equals(waitingId.get())) {
                return i;
            }
        }
        for (int i = 0; i < recent.size(); i++) {
            if (recentName.isPresent() && recent.get(i).name().equals(recentName.get())) {
                return waiting.size() + i;
            }
        }
        return Math.min(waitingIndex, total - 1);
    }

    private Optional<QueueItems.Item> selectedWaiting() {
        int i = queueSelection();
        return i < 0 || i >= waiting.size() ? Optional.empty() : Optional.of(waiting.get(i));
    }

    private Optional<Recent> selectedRecent() {
        int i = queueSelection() - waiting.size();
        return i < 0 || i >= recent.size() ? Optional.empty() : Optional.of(recent.get(i));
    }

    /** Moves in the list as last read (reading it means reading the journal); a change reads it again first. */
    void moveQueue(int delta) {
        int total = waiting.size() + recent.size();
        if (total == 0) {
            return;
        }
        waitingIndex = Math.max(0, Math.min(total - 1, queueSelection() + delta));
        waitingId = waitingIndex < waiting.size() ? Optional.of(waiting.get(waitingIndex).id()) : Optional.empty();
        recentName = waitingIndex < waiting.size() ? Optional.empty()
                : Optional.of(recent.get(waitingIndex - waiting.size()).name());
        loadTrace();
    }

    /** The selected message, if it can still be changed; else says why not. */
    private Optional<QueueItems.Item> changeable() {
        refreshWaiting();
        Optional<Recent> done = selectedRecent();
        if (done.isPresent()) {
            say(done.get().name() + " no longer waits (" + Overlays.lastStep(done.get())
                    + "): it can no longer be changed", Style.WARN);
            return Optional.empty();
        }
        Optional<QueueItems.Item> item = selectedWaiting();
        if (item.isEmpty()) {
            say("Nothing waits.", Style.DIM);
            return Optional.empty();
        }
        if (item.get().taken()) {
            say(item.get().id() + " is already taken (" + item.get().takenBy().get() + "): it can no longer be changed",
                    Style.WARN);
            return Optional.empty();
        }
        return item;
    }

    void askToCancelWaiting() {
        changeable().ifPresent(i -> {
            waitingId = Optional.of(i.id());
            mode = ConsoleMode.CONFIRM_CANCEL;
        });
    }

    void cancelWaiting() {
        mode = ConsoleMode.QUEUE;
        waitingId.ifPresent(id -> waitingOutcome(actions.cancelWaiting(id), "cancelled"));
    }

    void keepWaiting() {
        mode = ConsoleMode.QUEUE;
    }

    /** Opens the editor on the message's text, or on what was typed for it before and not saved. */
    void editWaiting() {
        changeable().ifPresent(i -> {
            if (!editingId.equals(Optional.of(i.id()))) {
                waitingEditor.setText(i.text());
            }
            waitingId = Optional.of(i.id());
            editingId = Optional.of(i.id());
            mode = ConsoleMode.EDIT_WAITING;
        });
    }

    void cancelEditWaiting() {
        mode = ConsoleMode.QUEUE;
    }

    void editWaitingEnter() {
        if (editingId.isEmpty()) {
            mode = ConsoleMode.QUEUE;
            return;
        }
        if (waitingEditor.before() == '\\') {
            waitingEditor.backspace();
            waitingEditor.newline();
            return;
        }
        String text = waitingEditor.text();
        if (text.isBlank()) {
            say("the new text is empty: type it, or Esc to go back (x cancels the message)", Style.WARN);
            return;
        }
        QueueItems.Outcome o = actions.editWaiting(editingId.get(), text);
        if (o instanceof QueueItems.Outcome.Done) {
            waitingEditor.clear();
            editingId = Optional.empty();
        }
        mode = ConsoleMode.QUEUE;
        waitingOutcome(o, "edited (the original is kept)");
    }

    /** Shows or hides the selected message's trace, reading the trail again (what waits too: it may be done now). */
    void toggleTrace() {
        trace = trace.isPresent() ? Optional.empty() : Optional.of(List.of());
        trailSteps = actions.trail();
        refreshWaiting();
    }

    /** What a cancel or an edit came to, in the footer: "e3f9a2c: cancelled", or why it was refused. */
    private void waitingOutcome(QueueItems.Outcome o, String what) {
        if (o instanceof QueueItems.Outcome.Done d) {
            say(d.item().id() + ": " + what, Style.OK);
        } else if (o instanceof QueueItems.Outcome.Refused r) {
            say(r.reason(), Style.ERROR);
        }
        refreshWaiting();
        afterAction.run();
    }

    /** The name the trail knows a message by: its file's name without .json or .txt. */
    static String messageName(QueueItems.Item i) {
        return dev.relay.trail.Trail.messageName(i.file());
    }
}
