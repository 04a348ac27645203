/**
 * Value types shared by every feature: the home's layout ({@code Home}), ids that become paths ({@code SessionId}),
 * keys, and the operator's {@code @SESSION: text} ({@code DirectMessage}); imports nothing from Relay.
 */
package dev.relay.core;
