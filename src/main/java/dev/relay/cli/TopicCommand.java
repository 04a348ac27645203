package dev.relay.cli;

import dev.relay.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "topic", mixinStandardHelpOptions = true,
        description = {"Prints the ntfy URL to subscribe to (in the ntfy app or a browser) for this relay's alerts.",
            "The topic is generated on first use and kept in .env as NTFY_TOPIC; it is a secret: anyone who knows it can read the alerts.",
            "With --reply: the reply topic's URL instead (NTFY_REPLY_TOPIC), where the phone's buttons and text answers go;",
            "anyone who can publish to it can answer the relay's questions, so keep it as secret as an API key.",
            "",
            "Examples:",
            "  relay topic                      # subscribe to this in the ntfy app",
            "  curl -d test \"$(relay topic)\"    # a test notification",
            "  curl -d \"K7Q2M: yes, ship it\" \"$(relay topic --reply)\"   # answer item K7Q2M as the phone would"})
final class TopicCommand extends HomeCommand {
    @Option(names = "--reply", description = "Print the reply topic's URL.")
    boolean reply;

    @Override
    public Integer call() {
        Settings settings = settings(true);
        out().println(reply ? settings.ntfyServer() + "/" + settings.phone().replyTopic() : settings.ntfyUrl());
        return ExitCodes.OK;
    }
}
