package dev.relay.tui;

/** What the console is showing, which decides what each key does: one key table per mode ({@link KeyTables}). */
public enum ConsoleMode {
    /** The panes: the keys scroll them and act on the relay. */
    NORMAL,
    HELP,
    CONFIRM_QUIT,
    PICK_AGENT,
    EDIT_OVERRIDE,
    /** The inbox: the items that need the operator, one selected, the keys acting on it. */
    INBOX,
    /** Typing what an action on an inbox item needs: an answer, or how long to snooze. */
    EDIT_ANSWER,
    /** The waiting messages (queue, outbox, operator files), one selected, the keys cancelling, editing, tracing it. */
    QUEUE,
    /** Asking whether to cancel the selected waiting message. */
    CONFIRM_CANCEL,
    /** Typing the new text of the selected waiting message. */
    EDIT_WAITING,
    /** Attached to one agent: the logs pane follows it and what is typed goes to it. */
    AGENT_CHAT
}
