/**
 * The relay's own files under state/: the home lock, status.json, control commands, taken ids, and agents.json
 * ({@code AgentsFile}, with the agents' states as {@code AgentState}). Imports core and files.
 */
package dev.relay.state;
