package dev.relay.core;

import java.nio.file.Path;

/** The layout of one relay home directory (CONTRACT section 1). */
public record Home(Path root) {
    public Home {
        root = root.toAbsolutePath().normalize();
    }

    public Path configFile() { return root.resolve("config.yaml"); }
    public Path envFile() { return root.resolve(".env"); }
    public Path queueDir() { return root.resolve("queue"); }
    public Path rejectedDir() { return queueDir().resolve(".rejected"); }
    public Path dispatchRoot() { return root.resolve("dispatch"); }
    public Path dispatchDir(SessionId session) { return dispatchRoot().resolve(session.value()); }
    public Path inputFile(SessionId session) { return dispatchDir(session).resolve("input.txt"); }
    /** What input.txt is (which reply, from whom), written by the relay just before it; a dotfile sessions ignore. */
    public Path inputLabelFile(SessionId session) { return dispatchDir(session).resolve(".input.json"); }
    /** Messages a Claude Code hook took from input.txt and has not yet handed over (kept across a killed hook). */
    public Path takenDir(SessionId session) { return dispatchDir(session).resolve(".taken"); }
    public Path stateDir() { return root.resolve("state"); }
    public Path lockFile() { return stateDir().resolve("relay.lock"); }
    public Path conversationFile() { return stateDir().resolve("conversation.jsonl"); }
    public Path takenIdsFile() { return stateDir().resolve("taken-ids.txt"); }
    public Path statusFile() { return stateDir().resolve("status.json"); }
    public Path jcInputFile() { return stateDir().resolve("jc_input.txt"); }
    /** The operator's messages taken from jc_input.txt, one file each, until they are answered or dispatched. */
    public Path operatorDir() { return stateDir().resolve("operator"); }
    /** Whether the relay is paused (by the operator, or waiting for JC), kept over a restart. */
    public Path pauseFile() { return stateDir().resolve("pause.json"); }
    /** The operator's inbox: every item that needs the operator, and what is still to be pushed to the phone. */
    public Path inboxFile() { return stateDir().resolve("inbox.json"); }
    /** The record of every message in and out, one step a line, appended only. */
    public Path trailFile() { return stateDir().resolve("trail.jsonl"); }
    /** What each day cost, by session, and the day's budget changes (raised limits, turns let through). */
    public Path spendFile() { return stateDir().resolve("spend.json"); }
    public Path controlDir() { return stateDir().resolve("control"); }
    public Path outboxRoot() { return stateDir().resolve("outbox"); }
    public Path outboxDir(SessionId session) { return outboxRoot().resolve(session.value()); }
    public Path logsDir() { return root.resolve("logs"); }
    public Path logFile() { return logsDir().resolve("relay.log"); }
    /** The log of a console attached to a relay running elsewhere (the relay's own log is that relay's). */
    public Path consoleLogFile() { return logsDir().resolve("console.log"); }
    public Path agentsDir() { return root.resolve("agents"); }
    /** A container agent's workspace, mounted at /workspace; the agent writes into it. */
    public Path agentDir(SessionId agent) { return agentsDir().resolve(agent.value()); }
    public Path agentIpcDir(SessionId agent) { return agentDir(agent).resolve("ipc"); }
    /** Follow-ups and _close, from the relay to the agent. */
    public Path agentInputDir(SessionId agent) { return agentIpcDir(agent).resolve("input"); }
    /** The agent's files for the team tracker, and those the tracker refused. */
    public Path agentMessagesDir(SessionId agent) { return agentIpcDir(agent).resolve("messages"); }
    public Path agentTasksDir(SessionId agent) { return agentIpcDir(agent).resolve("tasks"); }
    public Path agentErrorsDir(SessionId agent) { return agentIpcDir(agent).resolve("errors"); }
    /** The container agents' states, as the supervisor publishes them. */
    public Path agentsFile() { return stateDir().resolve("agents.json"); }
    public Path agentStateDir() { return stateDir().resolve("agents"); }
    /** The agent's SDK session, resumed at its next start. */
    public Path agentSessionFile(SessionId agent) { return agentStateDir().resolve(agent.value() + ".session"); }
    /** Replies taken from the outbox and not yet handed to the agent. */
    public Path agentClaimsDir(SessionId agent) { return agentStateDir().resolve(agent.value() + ".claimed"); }
    /** The line history of `relay agent SLUG`. */
    public Path agentHistoryFile(SessionId agent) { return stateDir().resolve("agent-" + agent.value() + ".history"); }
    /** The agent's output, as the supervisor logs it. */
    public Path agentLogFile(SessionId agent) { return root.resolve(agentLogPath(agent)); }
    /** An agent's log relative to the home, as the console names it. */
    public static Path agentLogPath(SessionId agent) { return Path.of("logs", "agents", agent.value() + ".log"); }
    /** Per-session records of Claude Code sessions connected by hooks (continuations, reports, failures). */
    public Path claudeDir() { return stateDir().resolve("claude"); }
    public Path claudeSessionFile(SessionId session) { return claudeDir().resolve(session.value() + ".json"); }
    public Path claudeNotifiedFile(SessionId session) { return claudeDir().resolve(session.value() + ".notified"); }
    /** The hook script `relay hook install` writes, and the running relay's loopback endpoint for it. */
    public Path hooksDir() { return stateDir().resolve("hooks"); }
    public Path hookScript() { return hooksDir().resolve("claude-hook.sh"); }
    public Path hookEndpointFile() { return hooksDir().resolve("endpoint"); }
    public Path hookHeadersFile() { return hooksDir().resolve("curl-headers"); }
    /** What `relay hook install` found in a project's settings file, so that uninstall gives back those bytes. */
    public Path hookBackupFile(String name) { return hooksDir().resolve("settings").resolve(name); }
}
