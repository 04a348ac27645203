/**
 * Container agents: the runtime interface ({@link dev.relay.agents.AgentRuntime}), the protocol's pure parts (the
 * first stdin line, the output markers, follow-up files) and hardening. Only {@code agents.docker} imports docker-java.
 */
package dev.relay.agents;
