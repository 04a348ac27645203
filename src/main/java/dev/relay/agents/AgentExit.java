package dev.relay.agents;

/** How a container ended; {@code oomKilled} or code 137 mean killed (out of memory, or by a stop). */
public record AgentExit(long code, boolean oomKilled) {
    public boolean killed() {
        return oomKilled || code == 137;
    }

    public String describe() {
        if (oomKilled) {
            return "killed: out of memory (exit " + code + ")";
        }
        if (code == 137) {
            return "killed (exit 137: out of memory, or stopped by force)";
        }
        return code == 0 ? "finished (exit 0)" : "failed (exit " + code + ")";
    }
}
