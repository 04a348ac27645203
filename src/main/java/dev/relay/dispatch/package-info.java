/** The durable outbox of replies and the targets that hand them to sessions; imports core, files and queue.Keys. */
package dev.relay.dispatch;
