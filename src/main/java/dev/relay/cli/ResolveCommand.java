package dev.relay.cli;

import dev.relay.inbox.Action;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = {"Resolves an inbox item by hand: it leaves the inbox (and its history stays in `relay inbox --all`).",
            "Items also resolve themselves when their cause clears.",
            "",
            "Example:",
            "  relay resolve K7Q2M"})
final class ResolveCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The item's code.")
    String code;

    @Override
    public Integer call() throws InterruptedException {
        return act(code, Action.RESOLVE, Optional.empty());
    }
}
