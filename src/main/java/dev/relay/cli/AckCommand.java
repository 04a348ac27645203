package dev.relay.cli;

import dev.relay.inbox.Action;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "ack", mixinStandardHelpOptions = true,
        description = {"Acknowledges an inbox item: it stays in the inbox until its cause clears or you resolve it,",
            "but it is no longer pushed to the phone again.",
            "",
            "Example:",
            "  relay ack K7Q2M"})
final class AckCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The item's code.")
    String code;

    @Override
    public Integer call() throws InterruptedException {
        return act(code, Action.ACK, Optional.empty());
    }
}
