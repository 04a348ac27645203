/** The immutable settings tree and its loader (defaults &lt; yaml &lt; .env &lt; environment &lt; flags); imports core and files. */
package dev.relay.config;
