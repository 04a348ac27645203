package dev.relay.monitor;

import dev.relay.core.Home;
import dev.relay.files.AtomicFiles;
import dev.relay.inbox.Inbox;
import dev.relay.state.ControlFiles;
import dev.relay.trail.Trail;
import java.time.Clock;
import java.util.List;

/**
 * The operator's actions as files in the home (state/jc_input.txt, state/control/, state/inbox.json), which is how
 * `relay override`, `relay pause`, `relay resume` and `relay ack` act too: the same for a relay in this process and
 * for a daemon; the waiting messages are cancelled and edited as `relay cancel` and `relay edit` do, as "console".
 */
public final class FileOperatorActions implements OperatorActions {
    /** The default of max_envelope_bytes, for callers that have no settings at hand. */
    public static final long DEFAULT_MAX_ENVELOPE_BYTES = 1_048_576L;

    private static final String BY = "console";

    private final Home home;
    private final ControlFiles control;
    private final Inbox inbox;
    private final QueueItems queue;

    public FileOperatorActions(Home home) {
        this(home, Clock.systemUTC());
    }

    public FileOperatorActions(Home home, Clock clock) {
        this(home, clock, DEFAULT_MAX_ENVELOPE_BYTES);
    }

    /** @param maxEnvelopeBytes the configured max_envelope_bytes, which an edited envelope must stay within */
    public FileOperatorActions(Home home, Clock clock, long maxEnvelopeBytes) {
        this.home = home;
        this.control = new ControlFiles(home.controlDir());
        this.inbox = new Inbox(home.inboxFile(), clock);
        this.queue = new QueueItems(home, maxEnvelopeBytes, clock);
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

    @Override
    public List<QueueItems.Item> waiting() {
        return queue.list();
    }

    @Override
    public QueueItems.Outcome cancelWaiting(String id) {
        return queue.cancel(id, BY);
    }

    @Override
    public QueueItems.Outcome editWaiting(String id, String text) {
        return queue.edit(id, text, BY);
    }

    @Override
    public List<Trail.Step> trace(String message) {
        return Trail.of(new Trail(home.trailFile()).read(), message);
    }

    @Override
    public List<Trail.Step> trail() {
        return new Trail(home.trailFile()).read();
    }
}
