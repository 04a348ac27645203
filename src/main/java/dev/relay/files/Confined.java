package dev.relay.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Paths the relay writes stay inside its home. Directories such as {@code dispatch/SESSION/} and
 * {@code agents/SLUG/ipc/} are writable by the agents they serve, so one of them could put a symbolic link where the
 * relay will write, and have the relay write (with its own rights) wherever the link points. Every component below
 * the home is checked not to be a link before such a write; the home itself may be one (a home at ~/relay linked to
 * /srv/relay is the operator's choice, not an agent's).
 */
public final class Confined {
    private Confined() {}

    /**
     * Returns {@code target} when neither it nor any directory between {@code root} and it is a symbolic link (parts
     * that do not exist yet are fine: they will be created as directories), else throws an
     * {@link UncheckedIOException} caused by an {@link UnsafePathException} that names the link and where it points.
     */
    public static Path check(Path root, Path target) {
        Path base = root.toAbsolutePath().normalize();
        Path full = target.toAbsolutePath().normalize();
        if (!full.startsWith(base) || full.equals(base)) {
            throw refuse(full, full + " is not inside " + base);
        }
        Path at = base;
        for (Path part : base.relativize(full)) {
            at = at.resolve(part);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(at, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                return full;   // the rest is created by the relay itself
            } catch (IOException e) {
                throw IoCause.wrap("cannot check " + at, e);
            }
            if (attrs.isSymbolicLink()) {
                String to;
                try {
                    to = Files.readSymbolicLink(at).toString();
                } catch (IOException e) {
                    to = "?";
                }
                throw refuse(full, "refusing to write " + full + ": " + base.relativize(at) + " is a symbolic link (to " + to
                        + "); the relay writes only inside " + base + ". Replace the link with a directory.");
            }
            if (!attrs.isDirectory() && !at.equals(full)) {
                throw refuse(full, "refusing to write " + full + ": " + base.relativize(at) + " is not a directory");
            }
        }
        return full;
    }

    private static UncheckedIOException refuse(Path path, String message) {
        return new UncheckedIOException(message, new UnsafePathException(path, message));
    }
}
