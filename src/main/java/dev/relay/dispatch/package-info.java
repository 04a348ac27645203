/** The durable outbox of replies and the targets that hand them to sessions; imports core and files. */
package dev.relay.dispatch;
