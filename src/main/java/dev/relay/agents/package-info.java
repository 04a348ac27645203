/**
 * Container agents. {@link dev.relay.agents.AgentSupervisor} is the dispatch target of container sessions and their
 * state machine (slots, backoff, idle close, one thread, a published snapshot); beside it {@code AgentWorkspace} (the
 * agent's files and the claims of the exactly-once hand-off), {@code ContainerSpecs} with {@code AgentUser} and
 * {@code HostUser} (spec and user, computed once), {@code Recovery} (containers and claims left by a crash),
 * {@code AgentLog} and {@code AgentsFile} (logs/agents/SLUG.log, state/agents.json), and the runtime interface
 * ({@link dev.relay.agents.AgentRuntime}) with the protocol's pure parts ({@code StartLine}, {@code OutputParser}) and
 * hardening. Imports config, core, dispatch, files, notify and queue; only {@code agents.docker} imports docker-java.
 */
package dev.relay.agents;
