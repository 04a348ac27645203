package dev.relay.tui;

/** The console's four panes, in the order Tab moves the focus through them. */
public enum Pane { QUEUE, CONVERSATION, LOGS, STATUS }
