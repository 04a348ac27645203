/** Intake from queue/: listing, validation, rejection with reasons, and the turn keys of envelopes. Imports core and files. */
package dev.relay.queue;
