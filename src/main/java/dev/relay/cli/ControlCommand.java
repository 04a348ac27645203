package dev.relay.cli;

import dev.relay.core.Home;
import dev.relay.state.ControlFiles;
import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

/** pause and resume: a command file for the running relay, then a wait until status.json shows its effect. */
abstract class ControlCommand extends HomeCommand {
    private static final long WAIT_MS = 3000;

    int send(ControlFiles.Command command, Predicate<Status> done, String doneMessage) throws InterruptedException {
        Home home = home();
        StatusFile statusFile = new StatusFile(home.statusFile());
        Optional<Status> before = statusFile.read();
        boolean running = before.map(s -> StatusFile.isLive(s, Instant.now())).orElse(false);
        new ControlFiles(home.controlDir()).submit(command);
        if (!running) {
            out().println("no relay is running in " + home.root() + ": the " + command.name().toLowerCase()
                    + " takes effect when it starts");
            return ExitCodes.OK;
        }
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            Optional<Status> now = statusFile.read();
            if (now.isPresent() && now.get().heartbeatAt().compareTo(before.get().heartbeatAt()) > 0 && done.test(now.get())) {
                out().println(doneMessage);
                return ExitCodes.OK;
            }
            Thread.sleep(50);
        }
        throw new UserException("the relay did not confirm the " + command.name().toLowerCase() + " within "
                + WAIT_MS / 1000 + " s; check `relay status` and logs/relay.log");
    }
}
