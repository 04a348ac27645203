package dev.relay.monitor;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.monitor.HomeSnapshot.LogLine;
import dev.relay.state.AgentState;
import dev.relay.state.AgentsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Container agents: their states and why none can run (state/agents.json), and the log of the one agent the console
 * follows. Following another agent cancels the first stream: its lines are dropped and its file no longer read.
 */
final class AgentsWatch {
    private final Home home;
    private final Path file;
    private final int maxLogLines;
    private Stamp stamp = Stamp.NONE;
    private Map<String, AgentState> states = Map.of();
    private Optional<String> runtimeProblem = Optional.empty();
    private volatile String wanted;
    private String followedSlug;
    private LineTail<LogLine> followed;

    AgentsWatch(Home home, int maxLogLines) {
        this.home = home;
        this.file = home.agentsFile();
        this.maxLogLines = maxLogLines;
    }

    /** The agent whose log to follow from the next poll on, or none (any thread). */
    void follow(Optional<String> slug) {
        wanted = slug.orElse(null);
    }

    /** Reads what changed; returns whether the states, the problem or the followed log did. */
    boolean poll() {
        boolean changed = pollFile();
        String want = wanted;
        if (!Objects.equals(want, followedSlug)) {
            followedSlug = want;
            followed = want == null || !SessionId.isValid(want) ? null
                    : AgentLogLines.consoleTail(home, SessionId.of(want), maxLogLines);
            changed = true;
        }
        if (followed != null) {
            changed |= followed.poll().changed();
        }
        return changed;
    }

    /** By slug, in slug order. */
    Map<String, AgentState> states() {
        return states;
    }

    Optional<String> runtimeProblem() {
        return runtimeProblem;
    }

    /** The followed agent's newest log lines; none when no agent is followed. */
    List<LogLine> followedLog() {
        return followed == null ? List.of() : followed.lines();
    }

    private boolean pollFile() {
        Stamp s = Stamp.of(file);
        if (s.equals(stamp)) {
            return false;
        }
        stamp = s;
        Map<String, AgentState> read = new TreeMap<>();
        Optional<String> problem = Optional.empty();
        try {
            Optional<AgentsFile.Content> content = s == Stamp.NONE ? Optional.empty() : new AgentsFile(file).read();
            if (content.isPresent()) {
                for (AgentsFile.Entry a : content.get().agents()) {
                    read.put(a.slug(), a.state());
                }
                problem = content.get().problem();
            }
        } catch (IOException e) {
            read = states;   // being replaced: the next poll reads the new one
            problem = runtimeProblem;
        }
        boolean changed = !read.equals(states) || !problem.equals(runtimeProblem);
        states = read;
        runtimeProblem = problem;
        return changed;
    }
}
