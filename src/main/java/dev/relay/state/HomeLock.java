package dev.relay.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
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

    private static final int ACQUIRE_ATTEMPTS = 5;
    private static final long ACQUIRE_PAUSE_MS = 20;

    /** @return empty when another process holds the lock */
    public static Optional<HomeLock> tryAcquire(Path lockFile) {
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = null;
            // another process may be only asking (`relay status` where the kernel's lock table cannot be read takes
            // the lock for a moment): a relay that is really running still holds it a moment later
            for (int attempt = 0; attempt < ACQUIRE_ATTEMPTS && lock == null; attempt++) {
                if (attempt > 0) {
                    sleep(ACQUIRE_PAUSE_MS);
                }
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
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
     *
     * <p>It never takes the lock itself, not even for a moment: a relay starting at that moment would find it taken
     * and refuse to run ("already running"). On Linux the kernel's table of locks ({@code /proc/locks}) answers;
     * where there is none, a lock taken and released at once is the only way to ask.
     */
    public static boolean isHeld(Path lockFile) {
        return isHeld(lockFile, PROC_LOCKS);
    }

    static final Path PROC_LOCKS = Path.of("/proc/locks");

    static boolean isHeld(Path lockFile, Path procLocks) {
        Optional<String> key = inodeKey(lockFile);
        if (key.isEmpty()) {
            return false;   // no lock file (no relay ever ran here), or not ours to look at
        }
        if (Files.isReadable(procLocks)) {
            try (var lines = Files.lines(procLocks)) {
                // "1: POSIX  ADVISORY  WRITE 2999 08:01:1234 0 EOF"; a waiting request has a "->" and holds nothing
                return lines.filter(l -> !l.contains("->")).anyMatch(l -> List.of(l.trim().split("\\s+")).contains(key.get()));
            } catch (IOException | UncheckedIOException e) {
                // fall through to asking the lock itself
            }
        }
        return probe(lockFile);
    }

    /** The file as /proc/locks names it: the device's major and minor number in hex, and the inode. */
    static Optional<String> inodeKey(Path file) {
        try {
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            return Optional.of(String.format("%02x:%02x:%d", major, minor, ino));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean probe(Path lockFile) {
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
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
