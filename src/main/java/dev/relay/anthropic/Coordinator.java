package dev.relay.anthropic;

/** The coordinator model: one synchronous call, no retries (the relay loop owns the single retry layer). */
public interface Coordinator {
    CoordinatorReply complete(CoordinatorRequest request) throws CoordinatorException;
}
