/** The relay's own files under state/: the home lock, status.json, control commands, taken ids. Imports core and files. */
package dev.relay.state;
