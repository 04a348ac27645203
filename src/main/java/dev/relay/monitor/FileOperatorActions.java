package dev.relay.monitor;

import dev.relay.core.Home;
import dev.relay.files.AtomicFiles;
import dev.relay.inbox.Inbox;
import dev.relay.state.ControlFiles;
import java.time.Clock;

/**
 * The operator's actions as files in the home (state/jc_input.txt, state/control/, state/inbox.json), which is how
 * `relay override`, `relay pause`, `relay resume` and `relay ack` act too: the same for a relay in this process and
 * for a daemon.
 */
public final class FileOperatorActions implements OperatorActions {
    private final Home home;
    private final ControlFiles control;
    private final Inbox inbox;

    public FileOperatorActions(Home home) {
        this(home, Clock.systemUTC());
    }

    public FileOperatorActions(Home home, Clock clock) {
        this.home = home;
        this.control = new ControlFiles(home.controlDir());
        this.inbox = new Inbox(home.inboxFile(), clock);
    }

    @Override
    public void override(String text) {
        if (text == null || text.isBlank()) {
            throw new Refused("the message is empty");
        }
        AtomicFiles.ensurePrivateDirectory(home.stateDir());
        if (!AtomicFiles.createNew(home.jcInputFile(), text)) {
            throw new Busy("an earlier override is still waiting in " + home.jcInputFile()
                    + "; it is taken first (is the relay running?). Try again in a moment");
        }
    }

    @Override
    public void pause() {
        control.submit(ControlFiles.Command.PAUSE);
    }

    @Override
    public void resume() {
        control.submit(ControlFiles.Command.RESUME);
    }

    @Override
    public Inbox.Outcome act(Inbox.Request request) {
        return inbox.act(request);
    }
}
