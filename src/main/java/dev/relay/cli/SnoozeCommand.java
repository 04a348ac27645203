package dev.relay.cli;

import dev.relay.inbox.Action;
import dev.relay.inbox.Durations;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "snooze", mixinStandardHelpOptions = true,
        description = {"Snoozes an inbox item: not pushed to the phone until the time is up, then open again.",
            "",
            "Examples:",
            "  relay snooze K7Q2M 30m",
            "  relay snooze K7Q2M 2h"})
final class SnoozeCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The item's code.")
    String code;

    @Parameters(index = "1", paramLabel = "DURATION", description = "How long: 30m, 2h, 1d, 1h30m.")
    String duration;

    @Override
    public Integer call() throws InterruptedException {
        if (Durations.parse(duration).isEmpty()) {
            throw new UserException("\"" + duration + "\" is not a duration: write it as 30m, 2h, 1d or 1h30m",
                    ExitCodes.USAGE);
        }
        return act(code, Action.SNOOZE, Optional.of(duration));
    }
}
