package dev.relay.relay;

import dev.relay.conversation.Turn;
import dev.relay.core.DirectMessage;
import dev.relay.core.Keys;
import dev.relay.core.SessionId;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's messages: {@code jc_input.txt} taken into {@code state/operator/} at once, so that it is taken
 * exactly once, then read back oldest first, each either a direct {@code @SESSION:} message or a coordinator turn.
 * The one place that knows an operator item's key and file.
 */
final class OperatorInbox {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorInbox.class);

    private final Path input;
    private final Path dir;
    private final Clock clock;

    OperatorInbox(Path input, Path dir, Clock clock) {
        this.input = input;
        this.dir = dir;
        this.clock = clock;
    }

    Path dir() {
        return dir;
    }

    /**
     * Moves jc_input.txt into the operator directory and answers its text; a blank one is removed instead (the
     * blank text answered). Empty when there is none, or it is being replaced (the next step reads it).
     */
    Optional<String> take() {
        if (!Files.exists(input)) {
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(input, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (text.isBlank()) {
            AtomicFiles.delete(input);
            return Optional.of(text);
        }
        String name = String.format("%013d-%s.txt", clock.millis(), Keys.digest(text, Long.toString(System.nanoTime())));
        AtomicFiles.move(input, dir.resolve(name));
        return Optional.of(text);
    }

    /** The operator's messages, oldest first. */
    List<Path> files() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "[0-9]*.txt")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        files.sort(null);
        return files;
    }

    String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** An operator message: its work item, and the direct message it is, if it is one. */
    record Message(WorkItem item, Optional<DirectMessage> direct) {}

    /** What sending a direct message tells: the operator's turn, or a problem when nothing followed the colon. */
    static List<Effect> sent(WorkItem item, DirectMessage direct, Instant at) {
        if (direct.message().isEmpty()) {
            return List.of(new Effect.Problem(direct.text() + "had no message after the colon; nothing sent"));
        }
        LOG.info("operator message dispatched directly to {}", direct.session());
        return List.of(new Effect.Tell(new RelayEvent.TurnRecorded(Turn.user(Turn.OPERATOR, direct.text(), item.key(), at))));
    }

    /**
     * The message in {@code file}; one for the coordinator has its reply go to {@code replyTo}, unless its name says
     * the session it answers for ({@link #nameFor}).
     */
    Message message(Path file, Optional<SessionId> replyTo) {
        String text = read(file);
        Optional<DirectMessage> direct = DirectMessage.parse(text);
        Optional<SessionId> to = sessionOf(file).or(() -> replyTo);
        return new Message(direct.map(d -> item(file, d.message(), Optional.of(d.session())))
                .orElseGet(() -> item(file, text.strip(), to)), direct);
    }

    /**
     * The name of an operator's message given through the inbox: fixed by the action (so that carrying it out again
     * finds it), and naming the session whose question it answers, which gets the coordinator's reply.
     */
    static String nameFor(Instant at, String code, int index, Optional<String> session) {
        return String.format("%013d-inbox-%s-%d%s.txt", at.toEpochMilli(), code, index,
                session.filter(SessionId::isValid).map(s -> "@" + s).orElse(""));
    }

    private static Optional<SessionId> sessionOf(Path file) {
        String name = file.getFileName().toString();
        int at = name.lastIndexOf('@');
        if (at < 0 || !name.endsWith(".txt")) {
            return Optional.empty();
        }
        String session = name.substring(at + 1, name.length() - ".txt".length());
        return SessionId.isValid(session) ? Optional.of(SessionId.of(session)) : Optional.empty();
    }

    /** The work item of an operator message in {@code file}. */
    static WorkItem item(Path file, String content, Optional<SessionId> replyTo) {
        return new WorkItem(file, key(file), Turn.OPERATOR, content, replyTo, false, java.time.Instant.EPOCH);
    }

    static String key(Path file) {
        return Outbox.OPERATOR_KEY_PREFIX + file.getFileName();
    }

    /** The file of an operator item's key; empty when the key is not an operator's. */
    Optional<Path> fileOf(String key) {
        return key.startsWith(Outbox.OPERATOR_KEY_PREFIX)
                ? Optional.of(dir.resolve(key.substring(Outbox.OPERATOR_KEY_PREFIX.length())))
                : Optional.empty();
    }
}
