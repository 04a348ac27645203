/**
 * Container agents. {@link dev.relay.agents.AgentSupervisor} is the dispatch target of container sessions and their
 * state machine (slots, backoff, idle close, one thread, a published snapshot); beside it {@code AgentWorkspace} (the
 * agent's files and the claims of the exactly-once hand-off), {@code ContainerSpecs} with {@code AgentUser} and
 * {@code HostUser} (spec and user, computed once), {@code Recovery} (containers and claims left by a crash),
 * {@link dev.relay.agents.AgentLog} (logs/agents/SLUG.log: the one owner of its line format), and the runtime
 * interface ({@link dev.relay.agents.AgentRuntime}) with the protocol's pure parts ({@code StartLine},
 * {@code OutputParser}) and hardening; the published snapshot goes to state/agents.json through
 * {@link dev.relay.state.AgentsFile}. Imports config, core, dispatch, files, notify, queue and state; only
 * {@code agents.docker} imports docker-java.
 */
package dev.relay.agents;
