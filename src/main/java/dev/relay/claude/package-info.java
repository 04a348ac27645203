/**
 * Claude Code sessions as file sessions: the Stop hook (its input, the wait for the relay's dispatch, its output) and
 * the merge of that hook into a project's .claude/settings.json. Imports core, files and queue.
 */
package dev.relay.claude;
