/**
 * Claude Code sessions as file sessions: the hooks' work (Stop, SessionStart, StopFailure: reports, the answer to each,
 * what else waits, the continuation cap, failures), the hook script and the relay's loopback endpoint for it, and the
 * merge of the hooks into a project's .claude/settings.json. Imports core, files, queue, dispatch and state.
 */
package dev.relay.claude;
