package dev.relay.dispatch;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import dev.relay.files.Confined;
import dev.relay.files.IoCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A file session reads dispatch/SESSION/input.txt and deletes it. Only the relay creates that file, so when
 * it is absent a rename of the outbox entry onto it can replace nothing; the rename is also what makes the
 * hand-over exactly-once across crashes (the reply is either still in the outbox or it is input.txt). Its label
 * (.input.json, see {@link InputLabel}) is written first, so it is never missing for an input.txt that is there.
 * The session may write its own directory, so no link in it is followed ({@link Confined}).
 */
public final class FileDispatchTarget implements DispatchTarget {
    private final Home home;

    public FileDispatchTarget(Home home) {
        this.home = home;
    }

    @Override
    public boolean busy(SessionId session) {
        return Files.exists(Confined.check(home.root(), home.inputFile(session)), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean deliver(Outbox.Entry entry) {
        Path input = Confined.check(home.root(), home.inputFile(entry.session()));
        if (Files.exists(input, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        AtomicFiles.ensurePrivateDirectory(input.getParent());
        String text;
        try {
            text = Files.readString(entry.file(), StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            return true;   // the session's Claude Code hook took it from the outbox itself
        } catch (IOException e) {
            throw IoCause.wrap("cannot read " + entry.file(), e);
        }
        InputLabel.of(entry.name(), text).write(Confined.check(home.root(), home.inputLabelFile(entry.session())));
        try {
            // Not synced: the rename is atomic, so after any crash the reply is in the outbox or is input.txt, never
            // both, never neither. A crash that undoes it delivers it again from the outbox; a sync would not prevent
            // that from mattering, since the session's own delete of input.txt (its "I have read it") is not synced
            // either, and a crash that undoes that delete shows input.txt again. What a sync would cost is two
            // directory syncs per reply on the loop's thread.
            AtomicFiles.renameUnsynced(entry.file(), input);
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                return true;   // taken by the session's hook between the read and the move
            }
            throw e;
        }
        return true;
    }
}
