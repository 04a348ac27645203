package dev.relay.cli;

import dev.relay.inbox.Action;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "allow", mixinStandardHelpOptions = true,
        description = {"Allows what a Claude Code session asked permission for (an inbox item of kind permission).",
            "With --session: also for the rest of that Claude Code session (Claude Code's own suggestion, kept",
            "in the session only: nothing is written into the project's settings files).",
            "",
            "Examples:",
            "  relay allow K7Q2M",
            "  relay allow K7Q2M --session"})
final class AllowCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The permission's code, from `relay inbox`.")
    String code;

    @Option(names = "--session", description = "Allow it for the rest of the Claude Code session.")
    boolean forSession;

    @Override
    public Integer call() throws InterruptedException {
        return act(code, forSession ? Action.ALLOW_SESSION : Action.ALLOW, Optional.empty());
    }
}
