/** Value types shared by every feature (ids that become paths); imports nothing from Relay. */
package dev.relay.core;
