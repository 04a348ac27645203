package dev.relay.agents;

/** The runtime could not do what was asked; {@code unreachable} when the daemon itself does not answer. */
public final class AgentRuntimeException extends RuntimeException {
    private final boolean unreachable;

    public AgentRuntimeException(String message, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    public boolean unreachable() {
        return unreachable;
    }
}
