package dev.relay.cli;

import dev.relay.inbox.Action;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "deny", mixinStandardHelpOptions = true,
        description = {"Denies what a Claude Code session asked permission for; the model reads your note.",
            "",
            "Example:",
            "  relay deny K7Q2M --note \"Not on the shared database; use the fixture instead.\""})
final class DenyCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The permission's code, from `relay inbox`.")
    String code;

    @Option(names = "--note", paramLabel = "TEXT", description = "What the model is told.")
    String note;

    @Override
    public Integer call() throws InterruptedException {
        return act(code, Action.DENY, Optional.ofNullable(note));
    }
}
