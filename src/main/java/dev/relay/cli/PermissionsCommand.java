package dev.relay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.trail.Trail;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "permissions", mixinStandardHelpOptions = true,
        description = {"Lists recent permission prompts of Claude Code sessions and what decided each: a rule of",
            "config.yaml (permissions:), the operator and from where, or no decision in time.",
            "",
            "Examples:",
            "  relay permissions",
            "  relay permissions --json --last 200"})
final class PermissionsCommand extends HomeCommand {
    @Option(names = "--json", description = "Print JSON lines, one a step.")
    boolean json;

    @Option(names = "--last", paramLabel = "N", defaultValue = "50", description = "How many steps (default ${DEFAULT-VALUE}).")
    int last;

    @Override
    public Integer call() throws Exception {
        List<Trail.Step> steps = new Trail(home().trailFile()).read().stream()
                .filter(s -> s.step().startsWith("permission ")).toList();
        steps = steps.subList(Math.max(0, steps.size() - last), steps.size());
        ObjectMapper mapper = new ObjectMapper();
        for (Trail.Step s : steps) {
            out().println(json ? mapper.writeValueAsString(s) : TraceCommand.TIME.format(s.instant()) + "  "
                    + String.format("%-22s", s.step()) + " " + (s.session() == null ? "" : s.session() + "  ") + s.text()
                    + (s.by() == null ? "" : "  (" + s.by() + ")"));
        }
        if (!json && steps.isEmpty()) {
            out().println("no permission prompt recorded yet (`relay hook install` adds the hook to a project)");
        }
        return ExitCodes.OK;
    }
}
