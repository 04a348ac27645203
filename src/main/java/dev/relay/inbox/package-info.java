/**
 * The operator's inbox: every item that needs the operator, in state/inbox.json, changed by any process under its
 * lock (the first action on an item wins); and the phone both ways ({@link dev.relay.inbox.Phone}): pushes with
 * buttons, re-notification, retries, and the reply topic read through one outbound subscription.
 */
package dev.relay.inbox;
