/** Logging set-up (rotating relay.log, stdout for the daemon) and the masking of secrets in every line. */
package dev.relay.logging;
