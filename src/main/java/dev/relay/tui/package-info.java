/**
 * The full-screen console (Lanterna): panes drawn from {@link dev.relay.monitor.HomeSnapshot}s by pure functions, one
 * key table per mode. Imports monitor, core and the feature records; never cli, and nothing imports it but cli.
 */
package dev.relay.tui;
