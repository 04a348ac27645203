package dev.relay.agents;

import java.time.Duration;

/** A started (or re-attached) agent container. */
public interface RunningAgent {
    String containerId();

    /** Stops the container: a signal, then a kill after {@code grace}. Its exit still reaches the listener. */
    void stop(Duration grace);

    /** Stops following the container (its output and exit); the container itself goes on. */
    void detach();
}
