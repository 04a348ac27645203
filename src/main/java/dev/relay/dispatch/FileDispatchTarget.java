package dev.relay.dispatch;

import dev.relay.core.Home;
import dev.relay.files.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A file session reads dispatch/SESSION/input.txt and deletes it. Only the relay creates that file, so when
 * it is absent a rename of the outbox entry onto it can replace nothing; the rename is also what makes the
 * hand-over exactly-once across crashes (the reply is either still in the outbox or it is input.txt).
 */
public final class FileDispatchTarget implements DispatchTarget {
    private final Home home;

    public FileDispatchTarget(Home home) {
        this.home = home;
    }

    @Override
    public boolean deliver(Outbox.Entry entry) {
        Path input = home.inputFile(entry.session());
        if (Files.exists(input, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        AtomicFiles.ensurePrivateDirectory(input.getParent());
        AtomicFiles.move(entry.file(), input);
        return true;
    }
}
