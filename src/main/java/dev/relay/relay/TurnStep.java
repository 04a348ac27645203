package dev.relay.relay;

/**
 * The durable steps of a turn after the coordinator's call, in their order. Each is idempotent, so a failure between
 * any two (a full disk, a directory made read-only) is repaired by doing the remaining steps again, while running as
 * after a restart. Tests inject failures before each step ({@link RelayLoop#injectFaults}).
 */
enum TurnStep {
    /** The user turn is appended to the history. */
    USER_RECORDED,
    /** The coordinator's reply is appended to the history. */
    REPLY_RECORDED,
    /** The reply is written to the session's outbox, held. */
    REPLY_HELD,
    /** The envelope's id is recorded as taken. */
    ID_RECORDED,
    /** The envelope (or the operator's message) is removed. */
    ITEM_REMOVED,
    /** The held reply is released to its session. */
    REPLY_RELEASED,
    /** A reply is handed over to its session. */
    DELIVERED
}
