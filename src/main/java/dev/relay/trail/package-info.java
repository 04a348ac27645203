/** The record of every message in and out, state/trail.jsonl: one appended line per step of a message's life. */
package dev.relay.trail;
