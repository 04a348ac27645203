/** The Docker implementation of the agent runtime: the only package that imports docker-java. */
package dev.relay.agents.docker;
