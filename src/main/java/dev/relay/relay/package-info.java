/** The relay loop, its events, state and cache planning; imports the feature packages, never cli or a UI. */
package dev.relay.relay;
