package dev.relay.cli;

import dev.relay.monitor.QueueItems;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancels a waiting message (see `relay queue`) before it is taken. Nothing is deleted: an",
            "envelope goes to queue/.cancelled/, an outbox entry or operator message to state/cancelled/, each with",
            "NAME.reason saying who cancelled it and when. Exits 1 when the id is unknown or the message is taken.",
            "",
            "Example:",
            "  relay cancel e3f9a2c"})
final class CancelCommand extends HomeCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The message's id from `relay queue` (a unique prefix will do).")
    String id;

    @Override
    public Integer call() {
        QueueItems items = new QueueItems(home(), settings(false).maxEnvelopeBytes(), Clock.systemUTC());
        QueueItems.Outcome outcome = items.cancel(id, "cli");
        if (outcome instanceof QueueItems.Outcome.Refused r) {
            throw new UserException(r.reason());
        }
        QueueItems.Outcome.Done done = (QueueItems.Outcome.Done) outcome;
        out().println(done.item().id() + ": cancelled (" + done.item().kind().wire()
                + done.item().session().map(s -> " for " + s).orElse("") + "); kept in "
                + home().root().relativize(done.keptAt()));
        return ExitCodes.OK;
    }
}
