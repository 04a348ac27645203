/**
 * The full-screen console (Lanterna). For each frame {@link dev.relay.tui.Layout} places the panes,
 * {@link dev.relay.tui.PaneContents} fills them through {@link dev.relay.tui.Panes} (pure functions from a
 * {@link dev.relay.monitor.HomeSnapshot} to {@link dev.relay.tui.Line}s), and {@link dev.relay.tui.ConsoleController}
 * makes an immutable {@link dev.relay.tui.ConsoleView} of them, with its scrolling and the windows and footer of
 * {@link dev.relay.tui.Overlays}; {@link dev.relay.tui.ConsoleRenderer} only draws it. {@link dev.relay.tui.KeyTables}
 * holds one table of {@link dev.relay.tui.KeyBinding}s per {@link dev.relay.tui.ConsoleMode}; {@link dev.relay.tui.Console}
 * runs keys and frames on one thread, on a {@link dev.relay.tui.ConsoleTerminal}; {@link dev.relay.tui.Text} and
 * {@link dev.relay.tui.TextEditor} are its text helpers. Imports monitor, core and the feature records; never cli, and
 * nothing imports it but cli.
 */
package dev.relay.tui;
