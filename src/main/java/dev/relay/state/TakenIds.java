package dev.relay.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import dev.relay.core.Keys;

/** Envelope ids whose turn has completed (state/taken-ids.txt, one digest per line), so an id is never taken twice. */
public final class TakenIds implements AutoCloseable {
    private final Set<String> ids = new HashSet<>();
    private final FileChannel channel;

    public TakenIds(Path file) {
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
        String digest = Keys.digest(key);
        if (!ids.add(digest)) {
            return;
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap((digest + "\n").getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            ids.remove(digest);
            throw new UncheckedIOException("cannot record a taken id: " + e.getMessage(), e);
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
