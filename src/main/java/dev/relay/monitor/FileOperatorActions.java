package dev.relay.monitor;

import dev.relay.core.Home;
import dev.relay.files.AtomicFiles;
import dev.relay.state.ControlFiles;

/**
 * The operator's actions as files in the home (state/jc_input.txt and state/control/), which is how `relay override`,
 * `relay pause` and `relay resume` act too: the same for a relay in this process and for a daemon.
 */
public final class FileOperatorActions implements OperatorActions {
    private final Home home;
    private final ControlFiles control;

    public FileOperatorActions(Home home) {
        this.home = home;
        this.control = new ControlFiles(home.controlDir());
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
}
