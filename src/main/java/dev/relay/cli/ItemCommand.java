package dev.relay.cli;

import dev.relay.core.Home;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Item;
import dev.relay.inbox.Source;
import dev.relay.state.StatusFile;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * An action on one inbox item: recorded at once (the first action on an item wins, from anywhere), then, with a relay
 * running, a short wait until it has carried it out. Exits 1 with the reason when the item is not open or does not
 * take the action.
 */
abstract class ItemCommand extends HomeCommand {
    private static final long WAIT_MS = 3000;

    int act(String code, Action action, Optional<String> text) throws InterruptedException {
        Home home = home();
        Inbox inbox = new Inbox(home.inboxFile(), Clock.systemUTC());
        Inbox.Outcome outcome = inbox.act(new Inbox.Request(code, action, text, Source.CLI, Optional.empty()));
        if (outcome instanceof Inbox.Outcome.Refused r) {
            throw new UserException(r.reason());
        }
        Item item = ((Inbox.Outcome.Applied) outcome).item();
        out().println(item.code() + ": " + action.done().toLowerCase(java.util.Locale.ROOT)
                + (action == Action.SNOOZE ? " until " + item.snoozedUntil().map(Instant::toString).orElse("?") : "")
                + " (" + item.title() + ")");
        boolean live = new StatusFile(home.statusFile()).read().map(s -> StatusFile.isLive(s, Instant.now())).orElse(false);
        if (!live) {
            out().println("no relay is running in " + home.root() + ": it is carried out when one starts");
            return ExitCodes.OK;
        }
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            boolean applied = inbox.read().find(item.code()).map(i -> i.history().get(i.history().size() - 1).applied())
                    .orElse(true);
            if (applied) {
                return ExitCodes.OK;
            }
            Thread.sleep(50);
        }
        err().println("the relay has not carried it out yet (it is recorded; see `relay inbox` and logs/relay.log)");
        return ExitCodes.OK;
    }
}
