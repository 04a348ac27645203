/**
 * The Docker implementation of the agent runtime, the only package that imports docker-java:
 * {@link dev.relay.agents.docker.DockerAgentRuntime} (the daemon's calls), {@code HardenedContainer} (what a container
 * is created with), {@code Attachment} (one container's attach stream, its output and its exit) and
 * {@code OneLineInput} (its stdin: the start line once).
 */
package dev.relay.agents.docker;
