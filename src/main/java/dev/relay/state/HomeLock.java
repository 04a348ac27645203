package dev.relay.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One relay per home: an OS lock on state/relay.lock, freed by the kernel even after kill -9.
 * The file is never deleted (two processes could then each lock a different inode).
 */
public final class HomeLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private HomeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @return empty when another process holds the lock */
    public static Optional<HomeLock> tryAcquire(Path lockFile) {
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                return Optional.empty();
            }
            return Optional.of(new HomeLock(ch, lock));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether some process holds the lock now (a relay runs on this home), asked without creating anything: this
     * works when the relay cannot write its status (a full disk), which is when its heartbeat goes stale.
     */
    public static boolean isHeld(Path lockFile) {
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return true;   // this very process holds it
            }
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (IOException e) {
            return false;   // no lock file (no relay ever ran here), or not ours to open
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the kernel frees the lock when the process ends anyway
        }
    }
}
