package dev.relay.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/** A file's or directory's identity for change detection: modification time, size and file key ({@link #NONE} if absent). */
record Stamp(long mtimeNanos, long size, Object key) {
    static final Stamp NONE = new Stamp(-1, -1, null);

    static Stamp of(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size(), a.fileKey());
        } catch (IOException e) {   // absent, or going away
            return NONE;
        }
    }
}
