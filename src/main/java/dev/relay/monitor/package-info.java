/**
 * A live, read-only view of a home's files for the console (in the relay's process or attached to a daemon) and for
 * `relay agent`, and the operator's actions as files. {@link dev.relay.monitor.HomeMonitor} owns the polling thread
 * and assembles each {@link dev.relay.monitor.HomeSnapshot} from one watcher per source: {@code StatusWatch}
 * (status.json and liveness), {@code LineTail} over {@code Tail} (the journal, relay.log, an agent's log),
 * {@code QueueView} (queue/, rejected envelopes, waiting replies), {@code AgentsWatch} (agents.json and the one
 * followed agent log) and the inbox (state/inbox.json, read without its lock); {@link dev.relay.monitor.AgentLogLines}
 * shows an agent's log ({@link dev.relay.agents.AgentLog}) to the console and to `relay agent`;
 * {@link dev.relay.monitor.OperatorActions} / {@link dev.relay.monitor.FileOperatorActions} are the operator's
 * override, pause, resume and actions on inbox items; {@link dev.relay.monitor.QueueItems} lists what waits and cancels
 * or edits it before it is taken. Imports core, files and the feature packages; never tui or cli.
 */
package dev.relay.monitor;
