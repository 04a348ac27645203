package dev.relay.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Durable file writes: complete or absent, never half-written (temp file, fsync, rename, fsync dir). */
public final class AtomicFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicFiles() {}

    /** Replaces {@code target} with {@code content} atomically; the file is created 0600. */
    public static void write(Path target, String content) {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, byte[] content) {
        write(target, content, OWNER_ONLY);
    }

    /**
     * Replaces a file that is not the relay's own (a project's settings, say) atomically, keeping its permissions;
     * a new file gets {@code whenNew}.
     */
    public static void writeKeepingMode(Path target, String content, Set<PosixFilePermission> whenNew) {
        Set<PosixFilePermission> mode = whenNew;
        try {
            if (Files.exists(target)) {
                mode = Files.getPosixFilePermissions(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the permissions of " + target + ": " + IoCause.of(e), e);
        }
        write(target, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    private static void write(Path target, byte[] content, Set<PosixFilePermission> mode) {
        Path tmp = writeTemp(target, content);
        try {
            if (!mode.equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(tmp, mode);   // not through the umask, which would narrow it
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + IoCause.of(e), e);
        }
    }

    /**
     * Creates {@code target} with {@code content} only if it does not exist yet.
     * A hard link fails atomically when the name is taken, where a rename would replace it.
     *
     * @return false when the target already existed (nothing written)
     */
    public static boolean createNew(Path target, String content) {
        Path tmp = writeTemp(target, content.getBytes(StandardCharsets.UTF_8));
        try {
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target + ": " + IoCause.of(e), e);
        } finally {
            deleteQuietly(tmp);
            fsyncDirectory(target.toAbsolutePath().getParent());
        }
    }

    /**
     * Replaces {@code target} atomically (never half-written) but without syncing: for advisory files that may be
     * lost in a crash, where the fsync would only cost time on a hot path.
     */
    public static void writeUnsynced(Path target, byte[] content) {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + IoCause.of(e), e);
        }
    }

    private static Path writeTemp(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            return tmp;
        } catch (IOException e) {
            deleteQuietly(tmp);
            // named by its target: the temporary name differs at each try, and a repeated failure must read the same
            throw new UncheckedIOException("cannot write " + target + ": " + IoCause.of(e), e);
        }
    }

    /**
     * Writes {@code target} complete or not at all, its content durable but its name not yet: the caller makes the
     * name durable with one {@link #fsyncDirectory} for several files of one directory.
     */
    public static void writeNameUnsynced(Path target, String content) {
        Path tmp = writeTemp(target, content.getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + IoCause.of(e), e);
        }
    }

    /** Renames without syncing either directory: for a rename that a crash may undo without harm. */
    public static void renameUnsynced(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to + ": " + IoCause.of(e), e);
        }
    }

    /** Deletes without syncing the directory (the caller syncs it once for several); false when already gone. */
    public static boolean deleteUnsynced(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + ": " + IoCause.of(e), e);
        }
    }

    /** Makes a rename or unlink in {@code dir} durable. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync directory " + dir + ": " + IoCause.of(e), e);
        }
    }

    /** Renames within one file system and makes it durable in both directories. */
    public static void move(Path from, Path to) {
        renameUnsynced(from, to);
        Path fromDir = from.toAbsolutePath().getParent();
        Path toDir = to.toAbsolutePath().getParent();
        fsyncDirectory(toDir);
        if (!fromDir.equals(toDir)) {
            fsyncDirectory(fromDir);
        }
    }

    /** Deletes durably; false when the file was already gone. */
    public static boolean delete(Path file) {
        try {
            boolean deleted = Files.deleteIfExists(file);
            if (deleted) {
                fsyncDirectory(file.toAbsolutePath().getParent());
            }
            return deleted;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + ": " + IoCause.of(e), e);
        }
    }

    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort: a leftover temp file is ignored by every reader
        }
    }

    /** Creates a directory (and parents) readable only by the owner when it is new. */
    public static Path ensurePrivateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + dir + ": " + IoCause.of(e), e);
        }
    }
}
