package dev.relay.tui;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.relay.inbox.Action;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One key table per mode, with what a key outside the table does: the single source of the footer, the help overlay
 * and the dispatch of keys ({@link ConsoleController#handle}).
 */
final class KeyTables {
    private KeyTables() {}

    private static final List<KeyBinding> SCROLLING = List.of(
            new KeyBinding(Key.of(KeyType.Tab), "Focus", "Move focus to the next pane", false, c -> c.cycleFocus(1)),
            new KeyBinding(Key.of(KeyType.ReverseTab), "Back", "Move focus to the previous pane", false, c -> c.cycleFocus(-1)),
            new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Scroll the focused pane up a line", false, c -> c.scroll(-1)),
            new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Scroll the focused pane down a line", false, c -> c.scroll(1)),
            new KeyBinding(Key.of(KeyType.PageUp), "Page up", "Scroll the focused pane up a page", false, c -> c.page(-1)),
            new KeyBinding(Key.of(KeyType.PageDown), "Page down", "Scroll the focused pane down a page", false, c -> c.page(1)),
            new KeyBinding(Key.of(KeyType.Home), "Top", "Go to the oldest line of the focused pane", false, ConsoleController::top),
            new KeyBinding(Key.of(KeyType.End), "Follow", "Go to the newest line and follow it", false, ConsoleController::follow));

    static final List<KeyBinding> NORMAL = concat(List.of(
            new KeyBinding(Key.ch('o'), "Override", "Write to the coordinator as JC; start with @session: to write to one agent", true, ConsoleController::openOverride),
            new KeyBinding(Key.ch('p'), "Pause", "Pause: no envelope is taken (intake and dispatch go on)", true, ConsoleController::pause),
            new KeyBinding(Key.ch('r'), "Resume", "Resume; also clears a needs_jc pause", true, ConsoleController::resume),
            new KeyBinding(Key.ch('a'), "Attach", "Pick an agent: the logs pane follows it and what you type goes to it", true, ConsoleController::openPicker),
            new KeyBinding(Key.ch('w'), "Queue", "The waiting messages: cancel or edit one before it is taken, see its trace", false, ConsoleController::openQueue),
            new KeyBinding(Key.ch('i'), "Inbox", "The inbox: what needs you, most urgent first, and the keys to act on it", true, ConsoleController::openInbox),
            new KeyBinding(Key.ch('?'), "Help", "Show every key", true, ConsoleController::openHelp),
            new KeyBinding(Key.ch('q'), "Quit", "Quit the console (asks first)", true, ConsoleController::askToQuit),
            new KeyBinding(Key.ctrl('c'), "Quit", "Quit the console (asks first)", false, ConsoleController::askToQuit)),
            SCROLLING);

    /** The keys that edit text, in the editor {@code which} gives. */
    private static List<KeyBinding> editing(Function<ConsoleController, TextEditor> which) {
        return List.of(
                new KeyBinding(Key.of(KeyType.Backspace), "Erase", "Erase the character before the cursor", false, c -> which.apply(c).backspace()),
                new KeyBinding(Key.of(KeyType.Delete), "Delete", "Erase the character under the cursor", false, c -> which.apply(c).delete()),
                new KeyBinding(Key.of(KeyType.ArrowLeft), "Left", "Move the cursor", false, c -> which.apply(c).left()),
                new KeyBinding(Key.of(KeyType.ArrowRight), "Right", "Move the cursor", false, c -> which.apply(c).right()),
                new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Move the cursor", false, c -> which.apply(c).up()),
                new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Move the cursor", false, c -> which.apply(c).down()),
                new KeyBinding(Key.of(KeyType.Home), "Line start", "Move the cursor", false, c -> which.apply(c).home()),
                new KeyBinding(Key.of(KeyType.End), "Line end", "Move the cursor", false, c -> which.apply(c).end()));
    }

    static final List<KeyBinding> EDITOR = concat(List.of(
            new KeyBinding(Key.of(KeyType.Enter), "Send", "Send the message (a line ending in \\ continues on a new line)", true, ConsoleController::editorEnter),
            new KeyBinding(Key.alt(KeyType.Enter), "New line", "Start a new line", true, c -> c.editor().newline()),
            new KeyBinding(Key.of(KeyType.Tab), "Complete", "Complete the @session being typed", true, ConsoleController::complete),
            new KeyBinding(Key.of(KeyType.Escape), "Cancel", "Close the editor without sending", true, ConsoleController::cancelEditor),
            new KeyBinding(Key.ctrl('c'), "Cancel", "Close the editor without sending", false, ConsoleController::cancelEditor)),
            editing(ConsoleController::editor));

    /** A key of the inbox that asks for an action on the selected item; the window offers it only if the item takes it. */
    record InboxKey(KeyBinding binding, java.util.Set<Action> actions) {
        InboxKey(KeyBinding binding, Action action) {
            this(binding, java.util.Set.of(action));
        }
    }

    static final List<InboxKey> INBOX_ACTIONS = List.of(
            new InboxKey(new KeyBinding(Key.ch('a'), "Answer", "Answer the item: type what to tell the session, Enter sends", true, ConsoleController::inboxAnswer), Action.ANSWER),
            new InboxKey(new KeyBinding(Key.ch('r'), "Resume", "Resume: the relay goes on without an answer", true, c -> c.inboxAct(Action.RESUME)), Action.RESUME),
            new InboxKey(new KeyBinding(Key.ch('y'), "Yes", "Yes: the held reply sent as it is, or the permission allowed", true, ConsoleController::inboxYes), java.util.Set.of(Action.APPROVE, Action.ALLOW)),
            new InboxKey(new KeyBinding(Key.ch('Y'), "Yes, for the session", "Allow it for the rest of the Claude Code session", true, c -> c.inboxAct(Action.ALLOW_SESSION)), Action.ALLOW_SESSION),
            new InboxKey(new KeyBinding(Key.ch('n'), "No", "No: the held reply is written again, or the permission denied (with a note)", true, ConsoleController::inboxNo), java.util.Set.of(Action.REJECT, Action.DENY)),
            new InboxKey(new KeyBinding(Key.ch('R'), "Restart", "Restart the failed agent now (its backoff ends)", true, c -> c.inboxAct(Action.RESTART)), Action.RESTART),
            new InboxKey(new KeyBinding(Key.ch('c'), "Ack", "Acknowledge: you have seen it (no more pushes; it stays open)", true, c -> c.inboxAct(Action.ACK)), Action.ACK),
            new InboxKey(new KeyBinding(Key.ch('z'), "Snooze 1h", "Snooze for an hour: pushed again then", true, c -> c.inboxAct(Action.SNOOZE)), Action.SNOOZE),
            new InboxKey(new KeyBinding(Key.ch('Z'), "Snooze for…", "Snooze for a time you type (30m, 2h, 1d)", true, ConsoleController::inboxSnoozeFor), Action.SNOOZE),
            new InboxKey(new KeyBinding(Key.ch('x'), "Resolve", "Resolve: nothing more to do about it", true, c -> c.inboxAct(Action.RESOLVE)), Action.RESOLVE));

    static final List<KeyBinding> INBOX = concat(List.of(
            new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Select the item above or below", false, c -> c.moveInbox(-1)),
            new KeyBinding(Key.ch('k'), "Up", "Select the item above or below", false, c -> c.moveInbox(-1)),
            new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Select the item above or below", false, c -> c.moveInbox(1)),
            new KeyBinding(Key.ch('j'), "Down", "Select the item above or below", false, c -> c.moveInbox(1)),
            new KeyBinding(Key.of(KeyType.Enter), "Answer", "Answer the item: type what to tell the session, Enter sends", false, ConsoleController::inboxAnswer)),
            concat(INBOX_ACTIONS.stream().map(InboxKey::binding).toList(), List.of(
                    new KeyBinding(Key.of(KeyType.Escape), "Close", "Close the inbox", true, ConsoleController::closeOverlay),
                    new KeyBinding(Key.ch('q'), "Close", "Close the inbox", false, ConsoleController::closeOverlay))));

    static final List<KeyBinding> ANSWER = concat(List.of(
            new KeyBinding(Key.of(KeyType.Enter), "Send", "Act on the item with the text (a line ending in \\ continues on a new line)", true, ConsoleController::answerEnter),
            new KeyBinding(Key.alt(KeyType.Enter), "New line", "Start a new line", true, c -> c.answerEditor().newline()),
            new KeyBinding(Key.of(KeyType.Escape), "Cancel", "Back to the inbox without sending (the text is kept)", true, ConsoleController::cancelAnswer),
            new KeyBinding(Key.ctrl('c'), "Cancel", "Back to the inbox without sending (the text is kept)", false, ConsoleController::cancelAnswer)),
            editing(ConsoleController::answerEditor));

    static final List<KeyBinding> QUEUE = List.of(
            new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Select the message above or below", false, c -> c.moveQueue(-1)),
            new KeyBinding(Key.ch('k'), "Up", "Select the message above or below", false, c -> c.moveQueue(-1)),
            new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Select the message above or below", false, c -> c.moveQueue(1)),
            new KeyBinding(Key.ch('j'), "Down", "Select the message above or below", false, c -> c.moveQueue(1)),
            new KeyBinding(Key.ch('x'), "Cancel", "Cancel it before it is taken (asks first; it is moved aside, not deleted)", true, ConsoleController::askToCancelWaiting),
            new KeyBinding(Key.ch('e'), "Edit", "Edit its text before it is taken (the original is kept)", true, ConsoleController::editWaiting),
            new KeyBinding(Key.ch('t'), "Trace", "Show or hide its trace: each step, when and by whom", true, ConsoleController::toggleTrace),
            new KeyBinding(Key.of(KeyType.Escape), "Close", "Close the queue", true, ConsoleController::closeOverlay),
            new KeyBinding(Key.ch('q'), "Close", "Close the queue", false, ConsoleController::closeOverlay));

    /** The queue's keys that change the selected message, which a taken message no longer offers. */
    static final List<Key> QUEUE_CHANGES = List.of(Key.ch('x'), Key.ch('e'));

    static final List<KeyBinding> CONFIRM_CANCEL = List.of(
            new KeyBinding(Key.ch('y'), "Cancel it", "Cancel the message", true, ConsoleController::cancelWaiting),
            new KeyBinding(Key.ch('n'), "Keep", "Keep the message", true, ConsoleController::keepWaiting),
            new KeyBinding(Key.of(KeyType.Escape), "Keep", "Keep the message", false, ConsoleController::keepWaiting));

    static final List<KeyBinding> EDIT_WAITING = concat(List.of(
            new KeyBinding(Key.of(KeyType.Enter), "Save", "Replace the message's text (a line ending in \\ continues on a new line)", true, ConsoleController::editWaitingEnter),
            new KeyBinding(Key.alt(KeyType.Enter), "New line", "Start a new line", true, c -> c.waitingEditor().newline()),
            new KeyBinding(Key.of(KeyType.Escape), "Cancel", "Back to the queue without changing the message", true, ConsoleController::cancelEditWaiting),
            new KeyBinding(Key.ctrl('c'), "Cancel", "Back to the queue without changing the message", false, ConsoleController::cancelEditWaiting)),
            editing(ConsoleController::waitingEditor));

    static final List<KeyBinding> AGENT_CHAT = concat(List.of(
            new KeyBinding(Key.of(KeyType.Enter), "Send", "Send the line to the attached agent", true, ConsoleController::agentEnter),
            new KeyBinding(Key.of(KeyType.Escape), "Detach", "Stop following the agent", true, ConsoleController::detach),
            new KeyBinding(Key.ctrl('c'), "Detach", "Stop following the agent", false, ConsoleController::detach),
            new KeyBinding(Key.of(KeyType.Backspace), "Erase", "Erase the character before the cursor", false, c -> c.agentInput().backspace()),
            new KeyBinding(Key.of(KeyType.ArrowLeft), "Left", "Move the cursor", false, c -> c.agentInput().left()),
            new KeyBinding(Key.of(KeyType.ArrowRight), "Right", "Move the cursor", false, c -> c.agentInput().right())),
            SCROLLING.stream().filter(b -> b.key().type() != KeyType.ArrowLeft && b.key().type() != KeyType.ArrowRight).toList());

    static final List<KeyBinding> PICKER = List.of(
            new KeyBinding(Key.of(KeyType.Enter), "Attach", "Attach to the selected agent", true, ConsoleController::pick),
            new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Select the previous agent", false, c -> c.movePick(-1)),
            new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Select the next agent", false, c -> c.movePick(1)),
            new KeyBinding(Key.of(KeyType.Escape), "Cancel", "Close the list", true, ConsoleController::closeOverlay));

    static final List<KeyBinding> CONFIRM = List.of(
            new KeyBinding(Key.ch('y'), "Quit", "Quit the console", true, ConsoleController::quit),
            new KeyBinding(Key.ch('n'), "Stay", "Stay in the console", true, ConsoleController::stay),
            new KeyBinding(Key.of(KeyType.Escape), "Stay", "Stay in the console", false, ConsoleController::stay));

    /** The help overlay's own keys; any other key closes it (see {@link #otherKeys}). */
    static final List<KeyBinding> HELP = List.of(
            new KeyBinding(Key.of(KeyType.ArrowUp), "Up", "Scroll the help up a line", false, c -> c.scrollHelp(-1)),
            new KeyBinding(Key.of(KeyType.ArrowDown), "Down", "Scroll the help down a line", false, c -> c.scrollHelp(1)),
            new KeyBinding(Key.of(KeyType.PageUp), "Page up", "Scroll the help up a page", false, c -> c.scrollHelp(-10)),
            new KeyBinding(Key.of(KeyType.PageDown), "Page down", "Scroll the help down a page", false, c -> c.scrollHelp(10)));

    private static final Map<ConsoleMode, List<KeyBinding>> TABLES = new EnumMap<>(Map.ofEntries(
            Map.entry(ConsoleMode.NORMAL, NORMAL),
            Map.entry(ConsoleMode.HELP, HELP),
            Map.entry(ConsoleMode.CONFIRM_QUIT, CONFIRM),
            Map.entry(ConsoleMode.PICK_AGENT, PICKER),
            Map.entry(ConsoleMode.EDIT_OVERRIDE, EDITOR),
            Map.entry(ConsoleMode.INBOX, INBOX),
            Map.entry(ConsoleMode.EDIT_ANSWER, ANSWER),
            Map.entry(ConsoleMode.QUEUE, QUEUE),
            Map.entry(ConsoleMode.CONFIRM_CANCEL, CONFIRM_CANCEL),
            Map.entry(ConsoleMode.EDIT_WAITING, EDIT_WAITING),
            Map.entry(ConsoleMode.AGENT_CHAT, AGENT_CHAT)));

    private static final BiConsumer<ConsoleController, KeyStroke> NOTHING = (c, k) -> { };

    /** What a key outside the mode's table does: typing into the editors, closing the help. */
    private static final Map<ConsoleMode, BiConsumer<ConsoleController, KeyStroke>> OTHER_KEYS = new EnumMap<>(Map.ofEntries(
            Map.entry(ConsoleMode.NORMAL, NOTHING),
            Map.entry(ConsoleMode.HELP, KeyTables::helpOtherKey),
            Map.entry(ConsoleMode.CONFIRM_QUIT, NOTHING),
            Map.entry(ConsoleMode.PICK_AGENT, NOTHING),
            Map.entry(ConsoleMode.EDIT_OVERRIDE, typing(ConsoleController::editor)),
            Map.entry(ConsoleMode.INBOX, NOTHING),
            Map.entry(ConsoleMode.EDIT_ANSWER, typing(ConsoleController::answerEditor)),
            Map.entry(ConsoleMode.QUEUE, NOTHING),
            Map.entry(ConsoleMode.CONFIRM_CANCEL, NOTHING),
            Map.entry(ConsoleMode.EDIT_WAITING, typing(ConsoleController::waitingEditor)),
            Map.entry(ConsoleMode.AGENT_CHAT, typing(ConsoleController::agentInput))));

    /** A typed character goes into the editor {@code which} gives. */
    private static BiConsumer<ConsoleController, KeyStroke> typing(Function<ConsoleController, TextEditor> which) {
        return (c, k) -> {
            if (typed(k)) {
                which.apply(c).insert(k.getCharacter());
            }
        };
    }

    static List<KeyBinding> table(ConsoleMode mode) {
        return TABLES.get(mode);
    }

    static BiConsumer<ConsoleController, KeyStroke> otherKeys(ConsoleMode mode) {
        return OTHER_KEYS.get(mode);
    }

    private static boolean typed(KeyStroke k) {
        return k.getKeyType() == KeyType.Character && !k.isCtrlDown() && !k.isAltDown();
    }

    // the help scrolls on its keys with Ctrl or Alt held as well
    private static void helpOtherKey(ConsoleController c, KeyStroke k) {
        Key plain = Key.of(k.getKeyType());
        HELP.stream().filter(b -> k.getKeyType() != KeyType.Character && b.key().equals(plain)).findFirst()
                .ifPresentOrElse(b -> b.action().accept(c), c::closeOverlay);
    }

    private static List<KeyBinding> concat(List<KeyBinding> a, List<KeyBinding> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
