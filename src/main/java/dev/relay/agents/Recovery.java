package dev.relay.agents;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a restart: this home's containers left from before (live ones re-attached, dead ones removed) and the replies
 * claimed but not yet handed over when the relay stopped (dropped when the agent has them, else put back into the
 * outbox). Runs on the supervisor's thread; returns what it found instead of changing the agents' state itself.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** {@code unreachable}: Docker did not answer (nothing else was done); else what was re-attached, and what was said. */
    record Outcome(String unreachable, Map<Agent, RunningAgent> reattached, List<String> said) {}

    private final AgentRuntime runtime;
    private final String homeLabel;
    private final Map<String, Agent> agents;

    Recovery(AgentRuntime runtime, String homeLabel, Map<String, Agent> agents) {
        this.runtime = runtime;
        this.homeLabel = homeLabel;
        this.agents = agents;
    }

    /** {@code triedBefore}: an earlier try found Docker away (said once). */
    Outcome run(boolean triedBefore, Function<String, AgentListener> listeners) {
        List<AgentRuntime.Container> own;
        try {
            own = runtime.list(Map.of(AgentSupervisor.HOME_LABEL, homeLabel));
        } catch (AgentRuntimeException e) {
            LOG.warn("container sessions wait: {}", e.getMessage());
            return new Outcome(e.getMessage(), Map.of(), triedBefore ? List.of() : List.of("Docker unreachable at start-up: " + e.getMessage()));
        }
        Map<Agent, RunningAgent> reattached = new LinkedHashMap<>();
        Map<Agent, String> startedWith = new LinkedHashMap<>();
        List<String> said = new ArrayList<>();
        for (AgentRuntime.Container c : own) {
            String slug = c.labels().getOrDefault(AgentSupervisor.AGENT_LABEL, "?");
            Agent a = agents.get(slug);
            String id = AgentRuntime.shortId(c.id());
            String what;
            if (c.running() && a != null && !reattached.containsKey(a)) {
                try {
                    reattached.put(a, runtime.reattach(c.id(), listeners.apply(slug)));
                    String entry = c.labels().get(AgentSupervisor.ENTRY_LABEL);
                    startedWith.put(a, entry);
                    what = "re-attached to the running container " + id + " of agent " + slug
                            + (a.workspace.forgetQueued(entry) ? "; the message it was started with was still queued for it, and is not sent again" : "");
                } catch (AgentRuntimeException e) {
                    runtime.removeQuietly(c.id());
                    what = "could not re-attach to container " + id + " of " + slug + " (" + e.getMessage() + "); removed it";
                }
            } else {
                runtime.removeQuietly(c.id());
                what = (c.running() ? "stopped and removed the container " : "removed the dead container ") + id
                        + " of " + (a == null ? "the unconfigured agent " : "agent ") + slug;
            }
            LOG.info("after a restart: {}", what);
            said.add(what);
        }
        for (Agent a : agents.values()) {
            settleClaims(a, reattached.containsKey(a), startedWith.get(a), said);
        }
        return new Outcome(null, reattached, said);
    }

    /**
     * A start claim is the first line of the live container labelled with it (dropped), or never reached one (put
     * back); a follow-up still staged was never seen (shown to a live agent, else put back); one not staged was seen.
     */
    private void settleClaims(Agent a, boolean live, String startedWith, List<String> said) {
        for (Path claim : a.workspace.claimed()) {
            if (claim.equals(a.claim)) {
                continue;
            }
            String entry = AgentWorkspace.entryName(claim);
            String what;
            if (AgentWorkspace.isStart(claim) ? live && entry.equals(startedWith) : !a.workspace.staged(claim)) {
                a.workspace.drop(claim);
                what = "the reply " + entry + " had reached agent " + a.slug + " before the restart: not sent again";
            } else if (!AgentWorkspace.isStart(claim) && live) {
                a.workspace.showFollowUp(claim);
                what = "the reply " + entry + " was on its way to agent " + a.slug + ": handed over";
            } else {
                a.workspace.unclaim(claim);
                what = "the reply " + entry + " had not reached agent " + a.slug + ": queued for it again";
            }
            LOG.info("after a restart: {}", what);
            said.add(what);
        }
    }
}
