/** Forwards what container agents write for the team tracker (ipc/messages, ipc/tasks) over REST. Imports core, files. */
package dev.relay.tracker;
