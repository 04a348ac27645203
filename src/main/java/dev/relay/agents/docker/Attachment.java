package dev.relay.agents.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.relay.agents.AgentExit;
import dev.relay.agents.AgentListener;
import dev.relay.agents.AgentOutput;
import dev.relay.agents.AgentRuntime;
import dev.relay.agents.OutputParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attach stream of one container: lines of stdout through the output parser, stderr as log, then, once the stream
 * ends, the container's exit (looked up on a thread of its own). A detached one reports nothing more.
 */
final class Attachment extends ResultCallback.Adapter<Frame> {
    private static final Logger LOG = LoggerFactory.getLogger(Attachment.class);
    /** What one line of an agent's output may hold in memory; the rest of a longer line is dropped. */
    static final int MAX_LINE = 1 << 20;

    private final String slug;
    private final String id;
    private final AgentListener listener;
    private final Function<String, AgentExit> exitOf;
    private final OutputParser parser = new OutputParser();
    private final Map<StreamType, ByteArrayOutputStream> partial = new HashMap<>();
    private volatile boolean ended;
    private volatile boolean detached;

    Attachment(String slug, String id, AgentListener listener, Function<String, AgentExit> exitOf) {
        this.slug = slug;
        this.id = id;
        this.listener = listener;
        this.exitOf = exitOf;
    }

    /** Stops reporting: what the container says from now on, and its exit, go unheard. */
    void detach() {
        detached = true;
    }

    @Override
    public void onNext(Frame frame) {
        if (detached) {
            return;
        }
        StreamType type = frame.getStreamType();
        if (type != StreamType.STDOUT && type != StreamType.STDERR && type != StreamType.RAW) {
            return;
        }
        ByteArrayOutputStream buf = partial.computeIfAbsent(type, t -> new ByteArrayOutputStream());
        for (byte b : frame.getPayload()) {
            if (b == '\n') {
                line(type, buf.toString(StandardCharsets.UTF_8));
                buf.reset();
            } else if (buf.size() < MAX_LINE) {
                buf.write(b);
            }
        }
    }

    private void line(StreamType type, String text) {
        if (type == StreamType.STDERR) {
            listener.log(text, true);
            return;
        }
        boolean before = parser.inBlock();
        Optional<AgentOutput> out = parser.line(text);
        if (out.isPresent()) {
            listener.output(out.get());
        } else if (!before && !parser.inBlock()) {
            listener.log(text, false);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        LOG.debug("agent {}: attach stream error: {}", slug, throwable.toString());
        finish();
    }

    @Override
    public void onComplete() {
        finish();
    }

    private void finish() {
        if (ended || detached) {
            return;
        }
        ended = true;
        partial.forEach((type, buf) -> {
            if (buf.size() > 0) {
                line(type, buf.toString(StandardCharsets.UTF_8));
            }
        });
        Thread t = new Thread(() -> {
            AgentExit exit = exitOf.apply(id);
            LOG.info("agent {}: container {} {}", slug, AgentRuntime.shortId(id), exit.describe());
            listener.exited(exit);
        }, "relay-agent-exit-" + slug);
        t.setDaemon(true);
        t.start();
    }
}
