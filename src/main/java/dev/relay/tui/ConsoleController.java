package dev.relay.tui;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.relay.core.SessionId;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.OperatorActions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's state (mode, focus, scrolling, editors) and what each key does to it. Runs on the console's thread
 * only; the key tables below are the single source of the footer, the help overlay and the dispatch of keys.
 */
public final class ConsoleController {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleController.class);

    public enum Mode { NORMAL, HELP, CONFIRM_QUIT, PICK_AGENT, EDIT_OVERRIDE, ATTACHED }

    public enum Pane { QUEUE, CONVERSATION, LOGS, STATUS }

    /** Scrolling of one pane; {@code follow} keeps the newest line in view. The renderer clamps {@code top}. */
    public static final class Scroll {
        int top;
        boolean follow;
        int page = 1;
        int lines;

        Scroll(boolean follow) {
            this.follow = follow;
        }

        public int top() {
            return top;
        }

        public boolean follow() {
            return follow;
        }

        void by(int delta) {
            if (follow) {
                top = Math.max(0, lines - page);
            }
            top = Math.max(0, Math.min(Math.max(0, lines - page), top + delta));
            follow = top >= lines - page;
        }
    }

    public record Flash(String text, Style style, Instant until) {}

    // ---- the key tables --------------------------------------------------------------------------------------

    private static final List<KeyBinding> SCROLLING = List.of(
            new KeyBinding(Key.of(KeyType.Tab), "Focus", "Move focus to the next pane", false, c -> c.cycleFocus(1)),
            new KeyBinding(Key.of(KeyType.ReverseTab), "Back", "Move focus to the previous pane", false, c -> c.cycleFocus(-1)),
            new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Scroll the focused pane up a line", false, c -> c.scroll(-1)),
            new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Scroll the focused pane down a line", false, c -> c.scroll(1)),
            new KeyBinding(Key.of(KeyType.PageUp), "Page up", "Scroll the focused pane up a page", false, c -> c.page(-1)),
            new KeyBinding(Key.of(KeyType.PageDown), "Page down", "Scroll the focused pane down a page", false, c -> c.page(1)),
            new KeyBinding(Key.of(KeyType.Home), "Top", "Go to the oldest line of the focused pane", false, ConsoleController::top),
            new KeyBinding(Key.of(KeyType.End), "Follow", "Go to the newest line and follow it", false, ConsoleController::bottom));

    static final List<KeyBinding> NORMAL = concat(List.of(
            new KeyBinding(Key.ch('o'), "Override", "Write to the coordinator as JC; start with @session: to write to one agent", true, ConsoleController::openOverride),
            new KeyBinding(Key.ch('p'), "Pause", "Pause: no envelope is taken (intake and dispatch go on)", true, ConsoleController::pause),
            new KeyBinding(Key.ch('r'), "Resume", "Resume; also clears a needs_jc pause", true, ConsoleController::resume),
            new KeyBinding(Key.ch('a'), "Attach", "Pick an agent: the logs pane follows it and what you type goes to it", true, ConsoleController::openPicker),
            new KeyBinding(Key.ch('?'), "Help", "Show every key", true, c -> {
                c.mode = Mode.HELP;
                c.helpTop = 0;
            }),
            new KeyBinding(Key.ch('q'), "Quit", "Quit the console (asks first)", true, c -> c.mode = Mode.CONFIRM_QUIT),
            new KeyBinding(Key.ctrl('c'), "Quit", "Quit the console (asks first)", false, c -> c.mode = Mode.CONFIRM_QUIT)),
            SCROLLING);

    static final List<KeyBinding> EDITOR = List.of(
            new KeyBinding(Key.of(KeyType.Enter), "Send", "Send the message (a line ending in \\ continues on a new line)", true, ConsoleController::editorEnter),
            new KeyBinding(Key.alt(KeyType.Enter), "New line", "Start a new line", true, c -> c.editor.newline()),
            new KeyBinding(Key.of(KeyType.Tab), "Complete", "Complete the @session being typed", true, ConsoleController::complete),
            new KeyBinding(Key.of(KeyType.Escape), "Cancel", "Close the editor without sending", true, ConsoleController::cancelEditor),
            new KeyBinding(Key.ctrl('c'), "Cancel", "Close the editor without sending", false, ConsoleController::cancelEditor),
            new KeyBinding(Key.of(KeyType.Backspace), "Erase", "Erase the character before the cursor", false, c -> c.editor.backspace()),
            new KeyBinding(Key.of(KeyType.Delete), "Delete", "Erase the character under the cursor", false, c -> c.editor.delete()),
            new KeyBinding(Key.of(KeyType.ArrowLeft), "Left", "Move the cursor", false, c -> c.editor.left()),
            new KeyBinding(Key.of(KeyType.ArrowRight), "Right", "Move the cursor", false, c -> c.editor.right()),
            new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Move the cursor", false, c -> c.editor.up()),
            new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Move the cursor", false, c -> c.editor.down()),
            new KeyBinding(Key.of(KeyType.Home), "Line start", "Move the cursor", false, c -> c.editor.home()),
            new KeyBinding(Key.of(KeyType.End), "Line end", "Move the cursor", false, c -> c.editor.end()));

    static final List<KeyBinding> ATTACHED = concat(List.of(
            new KeyBinding(Key.of(KeyType.Enter), "Send", "Send the line to the attached agent", true, ConsoleController::attachedEnter),
            new KeyBinding(Key.of(KeyType.Escape), "Detach", "Stop following the agent", true, ConsoleController::detach),
            new KeyBinding(Key.ctrl('c'), "Detach", "Stop following the agent", false, ConsoleController::detach),
            new KeyBinding(Key.of(KeyType.Backspace), "Erase", "Erase the character before the cursor", false, c -> c.attachInput.backspace()),
            new KeyBinding(Key.of(KeyType.ArrowLeft), "Left", "Move the cursor", false, c -> c.attachInput.left()),
            new KeyBinding(Key.of(KeyType.ArrowRight), "Right", "Move the cursor", false, c -> c.attachInput.right())),
            SCROLLING.stream().filter(b -> b.key().type() != KeyType.ArrowLeft && b.key().type() != KeyType.ArrowRight).toList());

    static final List<KeyBinding> PICKER = List.of(
            new KeyBinding(Key.of(KeyType.Enter), "Attach", "Attach to the selected agent", true, ConsoleController::pick),
            new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Select the previous agent", false, c -> c.movePick(-1)),
            new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Select the next agent", false, c -> c.movePick(1)),
            new KeyBinding(Key.of(KeyType.Escape), "Cancel", "Close the list", true, c -> c.mode = c.attached.isPresent() ? Mode.ATTACHED : Mode.NORMAL));

    static final List<KeyBinding> CONFIRM = List.of(
            new KeyBinding(Key.ch('y'), "Quit", "Quit the console", true, c -> c.quit = true),
            new KeyBinding(Key.ch('n'), "Stay", "Stay in the console", true, c -> c.mode = Mode.NORMAL),
            new KeyBinding(Key.of(KeyType.Escape), "Stay", "Stay in the console", false, c -> c.mode = Mode.NORMAL));

    static final Map<Mode, List<KeyBinding>> TABLES = tables();

    private static Map<Mode, List<KeyBinding>> tables() {
        Map<Mode, List<KeyBinding>> m = new EnumMap<>(Mode.class);
        m.put(Mode.NORMAL, NORMAL);
        m.put(Mode.EDIT_OVERRIDE, EDITOR);
        m.put(Mode.ATTACHED, ATTACHED);
        m.put(Mode.PICK_AGENT, PICKER);
        m.put(Mode.CONFIRM_QUIT, CONFIRM);
        m.put(Mode.HELP, List.of());
        return m;
    }

    private static List<KeyBinding> concat(List<KeyBinding> a, List<KeyBinding> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    // ---- state -----------------------------------------------------------------------------------------------

    private final OperatorActions actions;
    private final Supplier<HomeSnapshot> snapshots;
    private final Clock clock;
    final Panes.Mode relayMode;
    Mode mode = Mode.NORMAL;
    Pane focus = Pane.CONVERSATION;
    final Map<Pane, Scroll> scrolls = new EnumMap<>(Pane.class);
    final TextEditor editor = new TextEditor();
    final TextEditor attachInput = new TextEditor();
    Optional<String> attached = Optional.empty();
    int pickIndex;
    int helpTop;
    List<String> completions = List.of();
    Flash flash;
    Flash lastError;
    boolean quit;
    Runnable afterAction = () -> { };
    java.util.function.Consumer<Optional<String>> onAttach = a -> { };

    public ConsoleController(OperatorActions actions, Supplier<HomeSnapshot> snapshots, Clock clock, Panes.Mode relayMode) {
        this.actions = actions;
        this.snapshots = snapshots;
        this.clock = clock;
        this.relayMode = relayMode;
        scrolls.put(Pane.QUEUE, new Scroll(false));
        scrolls.put(Pane.CONVERSATION, new Scroll(true));
        scrolls.put(Pane.LOGS, new Scroll(true));
        scrolls.put(Pane.STATUS, new Scroll(false));
    }

    public Mode mode() {
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

    public static List<KeyBinding> table(Mode mode) {
        return TABLES.get(mode);
    }

    /** Handles one key stroke; never throws (a failed action is shown as a message and logged). */
    public void handle(KeyStroke stroke) {
        if (stroke.getKeyType() == KeyType.EOF) {
            quit = true;
            return;
        }
        if (mode == Mode.HELP) {
            switch (stroke.getKeyType()) {
                case ArrowUp -> helpTop = Math.max(0, helpTop - 1);
                case ArrowDown -> helpTop++;
                case PageUp -> helpTop = Math.max(0, helpTop - 10);
                case PageDown -> helpTop += 10;
                default -> mode = attached.isPresent() ? Mode.ATTACHED : Mode.NORMAL;
            }
            return;
        }
        Key key = Key.from(stroke);
        try {
            for (KeyBinding b : TABLES.get(mode)) {
                if (b.key().equals(key)) {
                    b.action().accept(this);
                    return;
                }
            }
            if (stroke.getKeyType() == KeyType.Character && !stroke.isCtrlDown() && !stroke.isAltDown()) {
                if (mode == Mode.EDIT_OVERRIDE) {
                    editor.insert(stroke.getCharacter());
                    completions = List.of();
                } else if (mode == Mode.ATTACHED) {
                    attachInput.insert(stroke.getCharacter());
                }
            }
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

    /** The console's own last error (an action refused, a frame not drawn), kept in the status pane for a while. */
    public Optional<Flash> lastError() {
        Flash e = lastError;
        return e != null && clock.instant().isBefore(e.until()) ? Optional.of(e) : Optional.empty();
    }

    // ---- actions ---------------------------------------------------------------------------------------------

    private void cycleFocus(int step) {
        Pane[] panes = Pane.values();
        focus = panes[Math.floorMod(focus.ordinal() + step, panes.length)];
    }

    private void scroll(int delta) {
        scrolls.get(focus).by(delta);
    }

    private void page(int direction) {
        Scroll s = scrolls.get(focus);
        s.by(direction * Math.max(1, s.page - 1));
    }

    private void top() {
        Scroll s = scrolls.get(focus);
        s.top = 0;
        s.follow = false;
    }

    private void bottom() {
        Scroll s = scrolls.get(focus);
        s.follow = true;
    }

    private void openOverride() {
        mode = Mode.EDIT_OVERRIDE;
        completions = List.of();
    }

    private void cancelEditor() {
        mode = attached.isPresent() ? Mode.ATTACHED : Mode.NORMAL;
        if (!editor.isBlank()) {
            say("override not sent (the text is kept: o to go on)", Style.DIM);
        }
    }

    private void editorEnter() {
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
        mode = attached.isPresent() ? Mode.ATTACHED : Mode.NORMAL;
        String direct = text.startsWith("@") && text.indexOf(':') > 1 ? text.substring(1, text.indexOf(':')).strip() : null;
        say(direct != null ? "sent to " + direct + " directly" : "sent: the coordinator's next turn is yours", Style.OK);
        afterAction.run();
    }

    private void complete() {
        Optional<String> prefix = editor.sessionPrefix();
        if (prefix.isEmpty()) {
            if (editor.text().isEmpty()) {
                editor.insert('@');
                completions = snapshots.get().sessions();
            }
            return;
        }
        List<String> matches = snapshots.get().sessions().stream().filter(s -> s.startsWith(prefix.get())).toList();
        completions = matches;
        if (matches.isEmpty()) {
            say("no session starts with \"" + prefix.get() + "\"", Style.WARN);
        } else if (matches.size() == 1) {
            editor.replaceFirstWord("@" + matches.get(0) + ": ");
            completions = List.of();
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

    /** Live completions while the first word is "@...". */
    public List<String> completions() {
        if (mode != Mode.EDIT_OVERRIDE) {
            return List.of();
        }
        Optional<String> prefix = editor.sessionPrefix();
        if (prefix.isEmpty()) {
            return List.of();
        }
        return snapshots.get().sessions().stream().filter(s -> s.startsWith(prefix.get())).toList();
    }

    private void pause() {
        actions.pause();
        say(snapshots.get().relayLive() ? "pause requested" : "no relay is running: it starts paused", Style.PAUSED);
        afterAction.run();
    }

    private void resume() {
        actions.resume();
        say(snapshots.get().relayLive() ? "resume requested" : "no relay is running: the resume waits for it", Style.OK);
        afterAction.run();
    }

    private void openPicker() {
        if (snapshots.get().sessions().isEmpty()) {
            say("no agents yet: configure sessions in config.yaml, or wait for an envelope", Style.WARN);
            return;
        }
        pickIndex = attached.map(a -> Math.max(0, snapshots.get().sessions().indexOf(a))).orElse(0);
        mode = Mode.PICK_AGENT;
    }

    private void movePick(int delta) {
        int n = snapshots.get().sessions().size();
        if (n > 0) {
            pickIndex = Math.floorMod(pickIndex + delta, n);
        }
    }

    private void pick() {
        List<String> sessions = snapshots.get().sessions();
        if (sessions.isEmpty()) {
            mode = Mode.NORMAL;
            return;
        }
        attached = Optional.of(sessions.get(Math.min(pickIndex, sessions.size() - 1)));
        onAttach.accept(attached);
        attachInput.clear();
        scrolls.get(Pane.LOGS).follow = true;
        focus = Pane.LOGS;
        mode = Mode.ATTACHED;
        say("attached to " + attached.get() + ": type to send it a message, Esc to detach", Style.OK);
    }

    private void detach() {
        attached = Optional.empty();
        onAttach.accept(attached);
        attachInput.clear();
        scrolls.get(Pane.LOGS).follow = true;
        mode = Mode.NORMAL;
    }

    private void attachedEnter() {
        String text = attachInput.text();
        if (text.isBlank() || attached.isEmpty()) {
            return;
        }
        actions.sendTo(SessionId.of(attached.get()), text);
        attachInput.clear();
        say("sent to " + attached.get(), Style.OK);
        afterAction.run();
    }
}
