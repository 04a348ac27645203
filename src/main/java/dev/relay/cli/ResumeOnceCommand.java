package dev.relay.cli;

import dev.relay.inbox.Action;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "resume-once", mixinStandardHelpOptions = true,
        description = {"Lets one more turn past a budget's brake (config.yaml `budgets:`), from its inbox item: the oldest",
            "waiting report of its session (of any session, for the day's total) is answered, then the brake stands again",
            "and a new item says so. To go on for the rest of the day: `relay raise CODE`.",
            "",
            "Example:",
            "  relay resume-once K7Q2M"})
final class ResumeOnceCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The budget item's code, from `relay inbox`.")
    String code;

    @Override
    public Integer call() throws InterruptedException {
        return act(code, Action.RESUME_ONCE, Optional.empty());
    }
}
