package dev.relay.cli;

import dev.relay.inbox.Action;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "approve", mixinStandardHelpOptions = true,
        description = {"Approves a coordinator reply held for review (config.yaml `review:`): it is sent to its session as it is.",
            "To send your own text instead: `relay answer CODE TEXT`; to have the coordinator try again: `relay reject CODE`.",
            "",
            "Example:",
            "  relay approve K7Q2M"})
final class ApproveCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The held reply's code, from `relay inbox`.")
    String code;

    @Override
    public Integer call() throws InterruptedException {
        return act(code, Action.APPROVE, Optional.empty());
    }
}
