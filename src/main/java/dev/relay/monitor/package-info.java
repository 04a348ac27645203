/**
 * A live, read-only view of a home's files for the console (in the relay's process or attached to a daemon), and the
 * operator's actions as files. Imports core, files and the feature packages; never tui or cli.
 */
package dev.relay.monitor;
