package dev.relay.relay;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The directories the loop watches, on a thread of their own that posts each change to the loop's inbox. */
final class DirectoryWatch implements Delivery.Watch {
    /** Names that changed in one watched directory; {@code overflow} when the kernel dropped events. */
    record Change(Path dir, List<Path> names, boolean overflow) {}

    private WatchService service;
    private Thread thread;
    private volatile boolean running;

    void open(FileSystem fs) throws IOException {
        service = fs.newWatchService();
    }

    /** Watches {@code dir}; fails when no watch is open (a loop stepped by a test). */
    @Override
    public void register(Path dir) throws IOException {
        if (service == null) {
            throw new IOException("no directory watch (stepped by a test)");
        }
        dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
    }

    void start(Consumer<Change> post) {
        running = true;
        thread = new Thread(() -> watch(post), "relay-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch(Consumer<Change> post) {
        try {
            while (running) {
                var key = service.take();
                List<Path> names = new ArrayList<>();
                boolean overflow = false;
                for (var event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        overflow = true;
                    } else if (event.context() instanceof Path name) {
                        names.add(name);
                    }
                }
                key.reset();
                post.accept(new Change((Path) key.watchable(), names, overflow));
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // the loop is closing
        }
    }

    void close() {
        running = false;
        try {
            if (service != null) {
                service.close();
            }
        } catch (IOException ignored) {
            // closing on the way out
        }
    }
}
