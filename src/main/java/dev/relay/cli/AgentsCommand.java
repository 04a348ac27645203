package dev.relay.cli;

import dev.relay.config.AgentCredential;
import dev.relay.config.SessionConfig;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.state.AgentsFile;
import dev.relay.state.StatusFile;
import dev.relay.tracker.TrackerForwarder;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agents", mixinStandardHelpOptions = true,
        description = {"Lists the container agents (kind: container sessions) and their states.",
            "For each: state, container id, session id, uptime, last output or error. Reads state/agents.json, which the"
                + " running relay keeps current.",
            "",
            "credential: the one secret agents get (by name): CLAUDE_CODE_OAUTH_TOKEN, else AGENT_ANTHROPIC_API_KEY, else"
                + " the coordinator's ANTHROPIC_API_KEY only with agents.share_coordinator_key: true. env: the plain"
                + " variables each agent's container gets (container.env in config.yaml).",
            "",
            "States: idle (no container), waiting for a slot (agents.max_concurrent reached), starting, running,"
                + " closing (idle or over agents.max_run_s), backing off (after a failure), Docker unreachable."})
final class AgentsCommand extends HomeCommand {
    @Option(names = "--json", description = "Print state/agents.json as it is.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Home home = home();
        Settings settings = settings(false);
        List<SessionConfig> containers = settings.containerSessions();
        AgentsFile file = new AgentsFile(home.agentsFile());
        PrintWriter out = out();
        if (json) {
            out.println(file.text().orElse("{\"agents\": []}"));
            return ExitCodes.OK;
        }
        if (containers.isEmpty()) {
            out.println("No container agents: config.yaml has no session with `kind: container`.");
            return ExitCodes.OK;
        }
        boolean running = new StatusFile(home.statusFile()).read().map(s -> StatusFile.isLive(s, Instant.now())).orElse(false);
        if (!running) {
            out.println("No relay is running in " + home.root() + ": what follows is how it left them. (`relay` starts it.)");
        }
        // by name only: which one the next start hands over (.env and the environment are read at each start)
        out.println("credential: " + settings.agentCredential().map(AgentCredential::describe).orElseGet(() -> "none; "
                + AgentCredential.missing(settings.secrets(), settings.agents().shareCoordinatorKey(), home.envFile())));
        for (SessionConfig c : containers) {
            Map<String, String> env = settings.containerEnv(c);
            if (!env.isEmpty()) {
                out.println("env " + c.id() + ": " + env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(" ")));
            }
        }
        Optional<AgentsFile.Content> read = file.read();
        if (read.isEmpty()) {
            for (SessionConfig c : containers) {
                out.printf("%-16s %s%n", c.id(), "not started yet (image " + c.imageOrDefault() + ")");
            }
            return ExitCodes.OK;
        }
        AgentsFile.Content content = read.get();
        content.problem().ifPresent(problem -> {
            out.println("Docker: " + problem);
            out.println("File sessions keep working; container sessions wait and resume when Docker answers.");
        });
        out.printf("%-16s %-20s %-13s %-24s %-8s %s%n", "AGENT", "STATE", "CONTAINER", "SESSION", "UP", "LAST");
        Instant now = Instant.now();
        for (AgentsFile.Entry a : content.agents()) {
            String up = a.startedAt() != null ? human(Duration.between(Instant.parse(a.startedAt()), now)) : "-";
            String last = a.lastError() != null && !a.lastError().isEmpty() ? "error: " + a.lastError()
                    : a.lastOutput() == null ? "" : a.lastOutput();
            out.printf("%-16s %-20s %-13s %-24s %-8s %s%n", a.slug(), a.state().words(),
                    a.containerId() == null ? "-" : a.containerId(), a.sessionId() == null ? "-" : a.sessionId(), up,
                    oneLine(last, 60));
        }
        for (String r : content.recovery()) {
            out.println("at start-up: " + r);
        }
        printTrackerBacklog(home, settings, containers, out);
        return ExitCodes.OK;
    }

    /** Files the agents wrote for the team tracker that are not there yet, and those it refused. */
    private static void printTrackerBacklog(Home home, Settings settings, List<SessionConfig> containers, PrintWriter out) {
        for (SessionConfig c : containers) {
            TrackerForwarder.Backlog b = TrackerForwarder.backlog(home, c.id());
            if (b.waiting() > 0) {
                out.println("tracker: " + c.id().value() + " has " + b.waiting() + " file" + (b.waiting() == 1 ? "" : "s")
                        + " not forwarded yet in " + home.root().relativize(home.agentIpcDir(c.id()))
                        + (settings.trackerUrl().isEmpty() ? "/ (tracker.url is not set: they are kept until it is)" : "/"));
            }
            if (b.refused() > 0) {
                out.println("tracker: " + c.id().value() + " has " + b.refused() + " file" + (b.refused() == 1 ? "" : "s")
                        + " the tracker refused, in " + home.root().relativize(home.agentErrorsDir(c.id()))
                        + "/ (each with a .reason)");
            }
        }
    }

    private static String oneLine(String s, int max) {
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() > max ? flat.substring(0, max - 1) + "…" : flat;
    }

    static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s / 3600 + "h" + (s % 3600) / 60 + "m";
    }
}
