package dev.relay.monitor;

import dev.relay.conversation.Turn;
import dev.relay.inbox.Inbox;
import dev.relay.queue.Rejection;
import dev.relay.state.AgentState;
import dev.relay.state.RelayState;
import dev.relay.state.Status;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a home looks like at one moment, as the console shows it: read from the relay's files, so that a console in
 * the relay's own process and one attached to a daemon see the same thing.
 *
 * @param version   grows whenever anything in the snapshot changed (the console repaints on a new version)
 * @param relayLive   whether a relay holds the home and its heartbeat is fresh
 * @param agentStates container agents' states (state/agents.json), by slug
 * @param agentLog    the output of the agent the console follows (logs/agents/SLUG.log), if any
 * @param agentRuntimeProblem why container agents cannot run now (Docker unreachable), if so
 * @param inbox       the operator's inbox (state/inbox.json) as last read; empty when there is none
 */
public record HomeSnapshot(
        long version,
        Instant at,
        Optional<Status> status,
        boolean relayLive,
        List<QueuedItem> queue,
        int queueTotal,
        List<Rejection> rejected,
        int rejectedTotal,
        List<WaitingReply> waiting,
        List<Turn> turns,
        List<LogLine> log,
        List<String> sessions,
        Optional<String> pendingOverride,
        Map<String, AgentState> agentStates,
        List<LogLine> agentLog,
        Optional<String> agentRuntimeProblem,
        Inbox.Data inbox) {

    public HomeSnapshot {
        queue = List.copyOf(queue);
        rejected = List.copyOf(rejected);
        waiting = List.copyOf(waiting);
        turns = List.copyOf(turns);
        log = List.copyOf(log);
        sessions = List.copyOf(sessions);
        agentStates = Map.copyOf(agentStates);
        agentLog = List.copyOf(agentLog);
        inbox = inbox == null ? new Inbox.Data() : inbox;
    }

    public static HomeSnapshot empty(Instant at) {
        return new HomeSnapshot(0, at, Optional.empty(), false, List.of(), 0, List.of(), 0, List.of(), List.of(),
                List.of(), List.of(), Optional.empty(), Map.of(), List.of(), Optional.empty(), new Inbox.Data());
    }

    /** The state of the live relay; empty when none is live, or it has not written its status yet. */
    public Optional<RelayState> relayState() {
        return relayLive ? status.map(Status::state) : Optional.empty();
    }

    /** True when a live relay waits for JC. */
    public boolean needsJc() {
        return relayState().orElse(null) == RelayState.NEEDS_JC;
    }

    /** The word the console shows: the live relay's state, "starting" before its first status, "stopped" without one,
     * "unknown" for a state word this version does not know. */
    public String state() {
        return !relayLive ? "stopped" : status.map(Status::stateWord).orElse("starting");
    }

    /** An envelope waiting in queue/ ({@code session} is "?" while it is not yet readable as an envelope). */
    public record QueuedItem(String name, String session, Instant modifiedAt, long size, String preview) {}

    /** Replies held for a session: in its outbox, and whether its input.txt is still unread. */
    public record WaitingReply(String session, int count, boolean inputPending, String preview) {}

    /** One line of a log; {@code error} marks stderr or a WARN/ERROR line. */
    public record LogLine(String text, boolean error) {}
}
