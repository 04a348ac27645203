package dev.relay.claude;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.InputLabel;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.files.Confined;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What waits for one file session, as a Claude Code hook takes it: dispatch/SESSION/input.txt is moved into
 * dispatch/SESSION/.taken/ under the name of the outbox entry it was (from its label), which frees input.txt for the
 * relay's next reply; a message stays there until the hook's output has been handed to Claude Code, so a hook
 * killed half-way loses nothing (the next hook hands it over).
 */
final class Mailbox {
    /** One message taken: its text, and what its name tells (who wrote it, which turn it answers, when it was queued). */
    record Message(Path claim, String text, Kind kind, String keyDigest, long queuedAtMillis) {
        boolean answers(String digest) {
            return kind == Kind.REPLY && digest != null && digest.equals(keyDigest);
        }
    }

    enum Kind { REPLY, OPERATOR, UNLABELLED }

    private final Home home;
    private final SessionId session;
    private final Clock clock;

    Mailbox(Home home, SessionId session, Clock clock) {
        this.home = home;
        this.session = session;
        this.clock = clock;
    }

    /**
     * Takes input.txt if it is there, then the replies still in the relay's outbox (a rename each, so the relay,
     * which hands them over by a rename too, can never deliver one of them again), and returns every message taken
     * and not yet handed over, oldest first.
     */
    List<Message> take() {
        takeInput();
        takeOutbox();
        List<Message> out = new ArrayList<>();
        Path dir = home.takenDir(session);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "[0-9]*.txt")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        files.sort(null);
        for (Path f : files) {
            String name = f.getFileName().toString();
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                continue;   // handed over by a hook running beside this one
            }
            Kind kind = name.contains("-unlabelled") ? Kind.UNLABELLED
                    : Outbox.Entry.fromOperator(name) ? Kind.OPERATOR : Kind.REPLY;
            out.add(new Message(f, text, kind, Outbox.Entry.keyDigest(name), Outbox.Entry.queuedAtMillis(name)));
        }
        return out;
    }

    private void takeInput() {
        Path input = home.inputFile(session);
        if (!Files.exists(input, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // read before the move: the relay writes the label of the next input.txt only once this one is gone
        Optional<InputLabel> label = InputLabel.read(home.inputLabelFile(session));
        String name = label.map(InputLabel::entry).filter(n -> n.matches("[0-9]+-[0-9]+-[0-9a-f]+(\\.jc)?\\.txt"))
                .orElseGet(this::unlabelledName);
        Path dir = AtomicFiles.ensurePrivateDirectory(Confined.check(home.root(), home.takenDir(session)));
        Path claim = dir.resolve(name);
        try {
            Files.move(input, claim, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;   // read meanwhile by someone else
        } catch (FileAlreadyExistsException e) {
            claim = dir.resolve(unlabelledName());
            try {
                Files.move(input, claim, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException again) {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take " + input + ": " + e.getMessage(), e);
        }
        // not synced: a crash can only undo the move, which puts the message back in input.txt, never loses it
        try {
            String text = Files.readString(claim, StandardCharsets.UTF_8);
            if (label.isPresent() && !label.get().describes(text)) {
                AtomicFiles.move(claim, dir.resolve(unlabelledName()));   // a stale label: say nothing false about it
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + claim + ": " + e.getMessage(), e);
        }
    }

    private void takeOutbox() {
        List<Outbox.Entry> pending = new Outbox(home.outboxRoot(), clock).pending(session);
        if (pending.isEmpty() || Files.exists(home.inputFile(session), LinkOption.NOFOLLOW_LINKS)) {
            return;   // input.txt came back meanwhile: it is older, so it goes first, at the next take
        }
        Path dir = AtomicFiles.ensurePrivateDirectory(Confined.check(home.root(), home.takenDir(session)));
        for (Outbox.Entry e : pending) {
            try {
                Files.move(e.file(), dir.resolve(e.name()), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException gone) {
                // the relay moved it into input.txt meanwhile: the next take has it
                return;
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot take " + e.file() + ": " + ex.getMessage(), ex);
            }
        }
    }

    private String unlabelledName() {
        return String.format("%013d-000000-unlabelled%06x.txt", clock.millis(), ThreadLocalRandom.current().nextInt(1 << 24));
    }

    /** Removes messages once Claude Code has them. */
    void handedOver(List<Message> messages) {
        for (Message m : messages) {
            AtomicFiles.deleteQuietly(m.claim());   // not synced: at worst a crash brings a message back once
        }
    }

    /** Whether the relay still holds a reply to the turn with this key digest (not yet in input.txt; held or not). */
    boolean outboxHas(String keyDigest) {
        return new Outbox(home.outboxRoot(), clock).containsDigest(session, keyDigest);
    }

    boolean outboxEmpty() {
        return new Outbox(home.outboxRoot(), clock).pending(session).isEmpty();
    }

    boolean inputWaiting() {
        return Files.exists(home.inputFile(session), LinkOption.NOFOLLOW_LINKS);
    }
}
