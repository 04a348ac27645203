package dev.relay.cli;

import dev.relay.inbox.Action;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reject", mixinStandardHelpOptions = true,
        description = {"Rejects a coordinator reply held for review: it is not sent; the coordinator gets a turn with your note",
            "and writes the reply again (held for review again).",
            "",
            "Example:",
            "  relay reject K7Q2M --note \"Too risky: ask them to back up the table first.\""})
final class RejectCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The held reply's code, from `relay inbox`.")
    String code;

    @Option(names = "--note", paramLabel = "TEXT", description = "What the coordinator should change.")
    String note;

    @Override
    public Integer call() throws InterruptedException {
        return act(code, Action.REJECT, Optional.ofNullable(note));
    }
}
