package dev.relay.monitor;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest lines of a growing file (the journal, the relay log, an agent's log), each parsed: a window of at most
 * {@code cap} over a {@link Tail}. A line the parser refuses is skipped.
 */
final class LineTail<T> {
    private static final Logger LOG = LoggerFactory.getLogger(LineTail.class);

    /** What a replaced or truncated file does to the lines kept. */
    enum OnReset {
        CLEAR,
        /** cleared only when the new file comes with lines: a log rotated to an empty file goes on below the old lines */
        CLEAR_UNLESS_EMPTY
    }

    /** What one poll found: whether the window changed, and the lines it added, oldest first. */
    record Update<T>(boolean changed, List<T> added) {}

    private final Tail tail;
    private final int cap;
    private final OnReset onReset;
    private final Function<String, Optional<T>> parse;
    private final ArrayDeque<T> lines = new ArrayDeque<>();

    LineTail(Tail tail, int cap, OnReset onReset, Function<String, Optional<T>> parse) {
        this.tail = tail;
        this.cap = cap;
        this.onReset = onReset;
        this.parse = parse;
    }

    /** Reads what the file gained; a file that cannot be read now is tried again at the next poll. */
    Update<T> poll() {
        Tail.Chunk chunk;
        try {
            chunk = tail.poll();
        } catch (IOException e) {
            LOG.debug("cannot read {}: {}", tail.file(), e.toString());
            return new Update<>(false, List.of());
        }
        if (chunk.isEmpty()) {
            return new Update<>(false, List.of());
        }
        if (chunk.reset() && (onReset == OnReset.CLEAR || !chunk.lines().isEmpty())) {
            lines.clear();
        }
        List<T> added = new ArrayList<>();
        for (String line : chunk.lines()) {
            parse.apply(line).ifPresent(t -> {
                added.add(t);
                lines.addLast(t);
                if (lines.size() > cap) {
                    lines.removeFirst();
                }
            });
        }
        return new Update<>(true, added);
    }

    /** The lines kept, oldest first. */
    List<T> lines() {
        return List.copyOf(lines);
    }
}
