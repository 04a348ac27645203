/** Phone notifications (ntfy), asynchronous and best effort; imports nothing from Relay. */
package dev.relay.notify;
