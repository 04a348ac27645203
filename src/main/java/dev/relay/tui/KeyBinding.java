package dev.relay.tui;

import java.util.function.Consumer;

/**
 * One row of a key table: the key, its short name (for the footer), what it does (for the help), and the action.
 *
 * @param footer whether the footer shows it (the help shows every binding)
 */
public record KeyBinding(Key key, String name, String help, boolean footer, Consumer<ConsoleController> action) {}
