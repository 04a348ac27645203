package dev.relay.monitor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows a file that grows by whole lines (a journal, a log): each poll returns the complete lines added since the
 * last one. A file replaced by another (compaction, log rotation) or truncated starts over, said by {@code reset}.
 * Only the last {@code maxInitialBytes} of a file are read when following starts, so a large file costs little.
 */
final class Tail {
    record Chunk(boolean reset, List<String> lines) {
        static final Chunk NONE = new Chunk(false, List.of());

        boolean isEmpty() {
            return !reset && lines.isEmpty();
        }
    }

    private static final int READ_LIMIT = 4 << 20;

    private final Path file;
    private final int maxInitialBytes;
    private Object fileKey;
    private long offset = -1;
    private boolean skipping; // started mid-file: the first (partial) line is dropped
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    Tail(Path file, int maxInitialBytes) {
        this.file = file;
        this.maxInitialBytes = maxInitialBytes;
    }

    Path file() {
        return file;
    }

    /**
     * Starts at the file's present end, so that only lines written from now on are returned (the rest of a line being
     * written now is dropped). A file absent now is read as usual when it appears.
     */
    void skipToEnd() {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            fileKey = keyOf(attrs);
            offset = attrs.size();
            partial.reset();
            skipping = offset > 0 && !newlineBefore(offset);
        } catch (IOException e) {
            // absent (or unreadable) now: followed from its first sight, as by poll
        }
    }

    Chunk poll() throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (offset < 0 && fileKey == null) {
                return Chunk.NONE;
            }
            fileKey = null;
            offset = -1;
            partial.reset();
            return new Chunk(true, List.of());
        }
        Object key = keyOf(attrs);
        long size = attrs.size();
        boolean reset = false;
        if (offset < 0 || !Objects.equals(key, fileKey) || size < offset) {
            reset = offset >= 0 || fileKey != null;
            fileKey = key;
            partial.reset();
            offset = Math.max(0, size - maxInitialBytes);
            if (offset > 0) {
                reset = true;
            }
            skipping = offset > 0;
            List<String> lines = read(size);
            return new Chunk(reset, lines);
        }
        if (size == offset) {
            return Chunk.NONE;
        }
        return new Chunk(false, read(size));
    }

    private static Object keyOf(BasicFileAttributes attrs) {
        return attrs.fileKey() != null ? attrs.fileKey() : attrs.creationTime();
    }

    private boolean newlineBefore(long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            return ch.read(one, position - 1) == 1 && one.get(0) == '\n';
        }
    }

    private List<String> read(long size) throws IOException {
        List<String> lines = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long end = Math.min(size, offset + READ_LIMIT);
            ByteBuffer buf = ByteBuffer.allocate((int) (end - offset));
            while (buf.hasRemaining()) {
                int n = ch.read(buf, offset + buf.position());
                if (n < 0) {
                    break;
                }
            }
            byte[] bytes = buf.array();
            int len = buf.position();
            int start = 0;
            for (int i = 0; i < len; i++) {
                if (bytes[i] == '\n') {
                    partial.write(bytes, start, i - start);
                    if (!skipping) {
                        lines.add(partial.toString(StandardCharsets.UTF_8));
                    }
                    skipping = false;
                    partial.reset();
                    start = i + 1;
                }
            }
            partial.write(bytes, start, len - start);
            offset += len;
        } catch (NoSuchFileException e) {
            return lines;
        }
        return lines;
    }
}
