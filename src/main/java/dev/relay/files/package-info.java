/** Durable, atomic file operations shared by every feature; imports nothing from Relay. */
package dev.relay.files;
