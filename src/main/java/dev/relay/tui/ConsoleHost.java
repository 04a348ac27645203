package dev.relay.tui;

/** Where the relay a console shows runs: in the console's own process, or in a daemon the console is attached to. */
public enum ConsoleHost { IN_PROCESS, ATTACHED_TO_DAEMON }
