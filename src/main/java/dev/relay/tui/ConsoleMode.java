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
    /** Attached to one agent: the logs pane follows it and what is typed goes to it. */
    AGENT_CHAT
}
