package dev.relay.tui;

/** What a piece of text is, for colour: the renderer maps each to colours, the panes never name a colour. */
public enum Style {
    NORMAL, DIM, BOLD, HEADING,
    AGENT, COORDINATOR, OPERATOR, SUMMARY,
    OK, WARN, ERROR, PAUSED, NEEDS_JC, NOTICE,
    KEY, SELECTED, INPUT
}
