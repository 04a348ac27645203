package dev.relay.cli;

import dev.relay.config.Settings;
import picocli.CommandLine.Command;

@Command(name = "topic", mixinStandardHelpOptions = true,
        description = {"Prints the ntfy URL to subscribe to (in the ntfy app or a browser) for this relay's alerts.",
            "The topic is generated on first use and kept in .env as NTFY_TOPIC; it is a secret: anyone who knows it can read the alerts."})
final class TopicCommand extends HomeCommand {
    @Override
    public Integer call() {
        Settings settings = settings(true);
        out().println(settings.ntfyUrl());
        return ExitCodes.OK;
    }
}
