package dev.relay.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HomeLockTest {
    @TempDir
    Path dir;

    @Test
    void a_held_lock_is_seen_and_a_released_one_is_not() throws Exception {
        Path file = dir.resolve("state/relay.lock");
        assertFalse(HomeLock.isHeld(file), "no lock file: no relay ran here");
        try (HomeLock lock = HomeLock.tryAcquire(file).orElseThrow()) {
            assertTrue(HomeLock.isHeld(file));
            if (Files.isReadable(HomeLock.PROC_LOCKS)) {
                String table = Files.readString(HomeLock.PROC_LOCKS);
                assertTrue(table.contains(" " + HomeLock.inodeKey(file).orElseThrow() + " "), table);
            }
            assertTrue(HomeLock.tryAcquire(file).isEmpty(), "one relay per home");
        }
        assertFalse(HomeLock.isHeld(file));
    }

    @Test
    void asking_whether_it_is_held_never_makes_a_starting_relay_refuse_to_run() throws Exception {
        // `relay status` polled while a relay starts: the relay must never find the lock taken by the question
        Path file = dir.resolve("relay.lock");
        HomeLock.tryAcquire(file).orElseThrow().close();
        AtomicBoolean stop = new AtomicBoolean();
        Thread asker = new Thread(() -> {
            while (!stop.get()) {
                HomeLock.isHeld(file);
            }
        });
        asker.start();
        AtomicInteger refused = new AtomicInteger();
        try {
            for (int i = 0; i < 2_000; i++) {
                Optional<HomeLock> lock = HomeLock.tryAcquire(file);
                lock.ifPresentOrElse(HomeLock::close, refused::incrementAndGet);
            }
        } finally {
            stop.set(true);
            asker.join();
        }
        assertEquals(0, refused.get(), "starts refused while only asked");
    }

    @Test
    void the_kernel_lock_table_names_the_file_by_device_and_inode() throws Exception {
        Path file = Files.createFile(dir.resolve("relay.lock"));
        String key = HomeLock.inodeKey(file).orElseThrow();
        Path table = dir.resolve("locks");
        Files.writeString(table, "1: POSIX  ADVISORY  WRITE 4242 " + key + " 0 EOF\n");
        assertTrue(HomeLock.isHeld(file, table));
        Files.writeString(table, "1: POSIX  ADVISORY  WRITE 4242 " + key + "0 0 EOF\n");
        assertFalse(HomeLock.isHeld(file, table), "another inode's lock");
        Files.writeString(table, "1: -> POSIX  ADVISORY  WRITE 4242 " + key + " 0 EOF\n");
        assertFalse(HomeLock.isHeld(file, table), "a process waiting for the lock does not hold it");
    }
}
