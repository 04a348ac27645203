package dev.relay.inbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.notify.NtfyClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox on the phone, both ways, on two threads of its own (the relay's loop never waits for either):
 * <ul>
 *   <li>the pusher publishes each open item to the notification topic with buttons for its kind (ntfy {@code http}
 *   actions that publish to the reply topic), pushes it again while nobody acknowledges it, and retries what ntfy did
 *   not take, with backoff, until it goes or its item resolves;</li>
 *   <li>the listener holds one subscription to the reply topic (ntfy's JSON stream; no port is opened), resumes after a
 *   restart from the last message it handled, and applies each message once through the inbox.</li>
 * </ul>
 */
public final class Phone implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Phone.class);
    private static final Duration PUSH_PERIOD = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration KEEP_NOTES = Duration.ofHours(24);
    private static final int MAX_MESSAGE = 2000;
    private static final Duration RECONNECT_MAX = Duration.ofSeconds(30);
    /** A stream that lasted this long was a real one: when it ends, the next is opened at once. */
    private static final Duration STEADY_STREAM = Duration.ofSeconds(5);

    /** Where the phone is and how it is nagged. */
    public record Config(String topic, String replyTopic, Optional<String> token, Duration renotify, int maxRenotify) {}

    private final Inbox inbox;
    private final NtfyClient ntfy;
    private final Config config;
    private final Clock clock;
    private final Runnable acted;
    private final Object wake = new Object();
    private final AtomicReference<NtfyClient.Stream> stream = new AtomicReference<>();
    private volatile boolean running;
    /** Pushes ntfy did not take since it last took one (the pusher's thread only). */
    private int failuresInARow;
    private Thread pusher;
    private Thread listener;

    /** {@code acted} runs after an action from the phone is recorded (the relay wakes to carry it out). */
    public Phone(Inbox inbox, NtfyClient ntfy, Config config, Clock clock, Runnable acted) {
        this.inbox = inbox;
        this.ntfy = ntfy;
        this.config = config;
        this.clock = clock;
        this.acted = acted;
    }

    public void start() {
        startListening();
        running = true;
        pusher = daemon("relay-phone-push", this::pushLoop);
    }

    /** Only the reply topic's listener (tests push with {@link #pushDue()} on their own clock). */
    void startListening() {
        running = true;
        listener = daemon("relay-phone-listen", this::listenLoop);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Something may be due now: the pusher looks at once. */
    public void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    // ---------------------------------------------------------------- pushing

    private void pushLoop() {
        while (running) {
            try {
                pushDue();
            } catch (RuntimeException e) {
                LOG.warn("pushing to the phone failed: {}", e.toString());
            }
            synchronized (wake) {
                try {
                    wake.wait(PUSH_PERIOD.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Pushes what is due now: items (first pushes, re-notifications, retries), then notes. Answers how many went. */
    public int pushDue() {
        inbox.wakeSnoozed();
        Instant now = clock.instant();
        Inbox.Data data = inbox.read();
        int sent = 0;
        for (Item i : data.open()) {
            if (i.state() == Item.State.OPEN && i.nextPushAt().filter(at -> !at.isAfter(now)).isPresent()) {
                NtfyClient.Published p = ntfy.publish(message(i));
                inbox.pushed(i.code(), now, p.ok(), p.detail(), config.renotify(), config.maxRenotify(),
                        backoff(i.pushFailures() + 1, p.retryAfter()));
                sent += p.ok() ? 1 : 0;
                health(p, "the push of " + i.code());
            }
        }
        for (Inbox.Note n : data.outgoing()) {
            if (!n.nextAt().isAfter(now)) {
                NtfyClient.Published p = ntfy.publish(new NtfyClient.Message(config.topic(), n.title(), n.message(),
                        n.priority(), n.tags(), List.of()));
                inbox.notePushed(n.id(), p.ok(), p.detail(), backoff(n.attempts() + 1, p.retryAfter()), KEEP_NOTES);
                sent += p.ok() ? 1 : 0;
                health(p, "\"" + n.title() + "\"");
            }
        }
        return sent;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Logs the start and the end of an outage once each, not every retry (an outage may last all night). */
    private void health(NtfyClient.Published p, String what) {
        if (p.ok() && failuresInARow > 0) {
            LOG.info("ntfy takes notifications again, after {} failed attempt{}", failuresInARow, failuresInARow == 1 ? "" : "s");
            failuresInARow = 0;
        } else if (!p.ok() && failuresInARow++ == 0) {
            LOG.warn("ntfy did not take {} ({}); it is kept and retried with backoff (logged again when ntfy is back)",
                    what, p.detail());
        }
    }

    private static Duration backoff(int failures, Optional<Duration> retryAfter) {
        Duration grown = Duration.ofSeconds(1L << Math.min(9, Math.max(0, failures - 1)));
        Duration d = grown.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : grown;
        return retryAfter.filter(r -> r.compareTo(d) > 0).orElse(d);
    }

    /** An item's notification: its text, how to answer it, and the buttons its kind takes (ntfy allows three). */
    NtfyClient.Message message(Item i) {
        String text = i.text().length() > MAX_MESSAGE ? i.text().substring(0, MAX_MESSAGE) + "…" : i.text();
        StringBuilder body = new StringBuilder(text);
        body.append("\n\n").append(i.code());
        if (i.count() > 1) {
            body.append(" · ").append(i.count()).append(" times");
        }
        if (i.takes(Action.ANSWER)) {
            body.append(" · answer by publishing \"").append(i.code()).append(": your answer\" to ").append(config.replyTopic());
        } else if (i.takes(Action.RAISE)) {
            body.append(" · set today's limit by publishing \"").append(i.code()).append(": 20\" (or +5) to ")
                    .append(config.replyTopic());
        }
        String title = (i.pushes() > 0 ? "Again: " : "") + i.title();
        int priority = Math.min(5, i.severity().priority() + i.pushes());
        List<NtfyClient.HttpAction> actions = new ArrayList<>();
        for (Action a : buttons(i.kind())) {
            actions.add(button(i, a));
        }
        return new NtfyClient.Message(config.topic(), title, body.toString(), priority, tags(i.kind()), actions);
    }

    static List<Action> buttons(Kind kind) {
        return switch (kind) {
            case NEEDS_JC -> List.of(Action.RESUME, Action.SNOOZE, Action.ACK);
            case STUCK_QUEUE, REPORT -> List.of(Action.ACK, Action.SNOOZE);
            case AGENT_FAILED -> List.of(Action.RESTART, Action.ACK, Action.SNOOZE);
            case RELAY_ERROR -> List.of(Action.RESUME, Action.ACK, Action.SNOOZE);
            case PERMISSION -> List.of(Action.ALLOW, Action.ALLOW_SESSION, Action.DENY);
            case HELD_REPLY -> List.of(Action.APPROVE, Action.REJECT, Action.SNOOZE);
            case BUDGET -> List.of(Action.RAISE, Action.RESUME_ONCE, Action.ACK);
        };
    }

    private NtfyClient.HttpAction button(Item i, Action a) {
        ObjectNode body = Inbox.JSON.createObjectNode();
        body.put("code", i.code());
        body.put("action", a.wire());
        body.put("nonce", i.nonce());
        if (a == Action.SNOOZE) {
            body.put("text", "1h");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        config.token().ifPresent(t -> headers.put("Authorization", "Bearer " + t));
        String label = a == Action.SNOOZE ? "Snooze 1 h" : a.label();
        return new NtfyClient.HttpAction(label, ntfy.topicUrl(config.replyTopic()), headers, body.toString(), true);
    }

    private static List<String> tags(Kind kind) {
        return switch (kind) {
            case NEEDS_JC -> List.of("rotating_light");
            case STUCK_QUEUE -> List.of("hourglass");
            case AGENT_FAILED, RELAY_ERROR -> List.of("warning");
            case PERMISSION -> List.of("lock");
            case HELD_REPLY, REPORT -> List.of("speech_balloon");
            case BUDGET -> List.of("moneybag");
        };
    }

    // ---------------------------------------------------------------- listening

    private void listenLoop() {
        int failures = 0;
        while (running) {
            Optional<String> since = readFrom(inbox.read());
            long opened = System.nanoTime();
            try {
                ntfy.read(config.replyTopic(), since, stream::set, this::onEvent);
                // the server ended the stream: read on at once, unless it ends them as soon as they open (a proxy, a
                // server that is not ntfy): then as after a failure, or this thread would spin
                failures = System.nanoTime() - opened > STEADY_STREAM.toNanos() ? 0 : failures + 1;
                if (failures > 0) {
                    sleep(min(backoff(failures, Optional.empty()), RECONNECT_MAX));
                }
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                failures++;
                if (failures == 1) {
                    LOG.warn("cannot read the reply topic {} ({}); trying again", config.replyTopic(), e.getMessage());
                }
                sleep(min(backoff(failures, Optional.empty()), RECONNECT_MAX));
            }
        }
    }

    /**
     * Where to read the reply topic from: after the last message handled, else from when the stream was first open,
     * else (never open long enough to say) from the oldest open item's creation: no answer to it can be older.
     */
    static Optional<String> readFrom(Inbox.Data data) {
        return data.replySince().or(() -> data.open().stream().map(Item::createdAt).min(Instant::compareTo)
                .map(t -> Long.toString(t.getEpochSecond())));
    }

    private void onEvent(NtfyClient.Event e) {
        if ("open".equals(e.event())) {
            inbox.replyStreamOpened(e.time());
            return;
        }
        if (!e.isMessage()) {
            return;
        }
        Optional<Inbox.Outcome> outcome = inbox.fromPhone(e.id(), e.message());
        if (outcome.isEmpty()) {
            LOG.debug("reply-topic message {} was handled before; ignored", e.id());
            return;
        }
        if (outcome.get() instanceof Inbox.Outcome.Applied a) {
            LOG.info("from the phone: {} {}", a.item().code(), a.entry().action().wire());
            acted.run();
        } else if (outcome.get() instanceof Inbox.Outcome.Refused r) {
            LOG.warn("reply-topic message {} ignored: {}", e.id(), r.reason());
            if (!r.reason().startsWith("there is no inbox item") && !r.reason().startsWith("not an action")) {
                inbox.note(new Inbox.NoteText("Not applied", r.reason(), 3, List.of("information_source")));
                wake();
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        NtfyClient.Stream s = stream.get();
        if (s != null) {
            s.close();
        }
        if (pusher != null) {
            pusher.interrupt();
        }
        if (listener != null) {
            listener.interrupt();
        }
        ntfy.close();
    }
}
