/**
 * Claude Code's permission prompts decided by policy: {@code permissions:} rules in Claude Code's own rule syntax,
 * checked in order. The hook that asks the relay (and the coordinator's and the operator's triage) build on it.
 */
package dev.relay.permissions;
