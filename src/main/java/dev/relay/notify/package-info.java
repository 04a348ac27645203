/** ntfy's HTTP API as Relay uses it (JSON publish with http actions, a topic's JSON stream); imports nothing from Relay. */
package dev.relay.notify;
