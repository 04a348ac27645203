/**
 * The relay's own files under state/, each with its typed reader and writer: the home lock, status.json
 * ({@code Status}, its {@code RelayState}), pause.json ({@code PauseFile}), control commands, taken ids, and agents.json
 * ({@code AgentsFile}, with the agents' states as {@code AgentState}). Imports core and files.
 */
package dev.relay.state;
