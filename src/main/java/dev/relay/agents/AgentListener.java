package dev.relay.agents;

/** What a running agent reports; called on the runtime's threads, so implementations hand off and return. */
public interface AgentListener {
    void output(AgentOutput output);

    /** A line the agent wrote outside the output markers; {@code stderr} tells the two streams apart. */
    void log(String line, boolean stderr);

    void exited(AgentExit exit);
}
