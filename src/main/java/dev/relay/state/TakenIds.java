package dev.relay.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.relay.core.Keys;

/** Envelope ids whose turn has completed (state/taken-ids.txt, one digest per line), so an id is never taken twice. */
public final class TakenIds implements AutoCloseable {
    private final Set<String> ids = new HashSet<>();
    private final FileChannel channel;
    private final Path file;

    public TakenIds(Path file) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        ids.add(line);
                    }
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    public boolean contains(String key) {
        return ids.contains(Keys.digest(key));
    }

    public void add(String key) {
        addAll(List.of(key));
    }

    /** Records several ids with one sync: when this returns, all of them survive a crash. */
    public void addAll(Collection<String> keys) {
        StringBuilder lines = new StringBuilder();
        List<String> added = new ArrayList<>();
        for (String key : keys) {
            String digest = Keys.digest(key);
            if (ids.add(digest)) {
                added.add(digest);
                lines.append(digest).append('\n');
            }
        }
        if (added.isEmpty()) {
            return;
        }
        long before = -1;
        try {
            before = channel.size();
            ByteBuffer buf = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            ids.removeAll(added);
            if (before >= 0) {
                try {
                    channel.truncate(before);   // no half line for the next id to be glued to
                } catch (IOException ignored) {
                    // a torn line is only one unreadable id; the next start reads the rest
                }
            }
            throw dev.relay.files.IoCause.wrap("cannot record a taken id in " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to flush: every add was forced
        }
    }
}
