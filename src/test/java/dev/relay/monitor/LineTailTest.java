package dev.relay.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineTailTest {
    @TempDir
    Path dir;

    private static Optional<String> notComments(String line) {
        return line.startsWith("#") ? Optional.empty() : Optional.of(line.toUpperCase());
    }

    private void append(Path f, String s) throws Exception {
        Files.writeString(f, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void replace(Path f, String s) throws Exception {
        Path fresh = dir.resolve("fresh");
        Files.writeString(fresh, s);
        Files.move(fresh, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void keeps_the_newest_lines_parsed_and_says_what_each_poll_added() throws Exception {
        Path f = dir.resolve("log");
        LineTail<String> tail = new LineTail<>(new Tail(f, 1 << 20), 3, LineTail.OnReset.CLEAR, LineTailTest::notComments);
        assertFalse(tail.poll().changed(), "no file yet");

        append(f, "a\n# note\nb\nc\nd\n");
        LineTail.Update<String> first = tail.poll();
        assertTrue(first.changed());
        assertEquals(List.of("A", "B", "C", "D"), first.added(), "a refused line is skipped");
        assertEquals(List.of("B", "C", "D"), tail.lines(), "at most three kept");

        assertFalse(tail.poll().changed(), "nothing written");
        append(f, "e\n");
        assertEquals(List.of("E"), tail.poll().added());
        assertEquals(List.of("C", "D", "E"), tail.lines());
    }

    @Test
    void a_replaced_file_starts_the_window_over() throws Exception {
        Path f = dir.resolve("journal");
        LineTail<String> tail = new LineTail<>(new Tail(f, 1 << 20), 10, LineTail.OnReset.CLEAR, Optional::of);
        append(f, "old\n");
        tail.poll();
        replace(f, "summary\n");
        assertEquals(List.of("summary"), tail.poll().added());
        assertEquals(List.of("summary"), tail.lines());

        replace(f, "");
        assertTrue(tail.poll().changed());
        assertEquals(List.of(), tail.lines(), "an emptied file empties the window");
    }

    @Test
    void a_log_rotated_to_an_empty_file_goes_on_below_the_old_lines() throws Exception {
        Path f = dir.resolve("relay.log");
        LineTail<String> tail = new LineTail<>(new Tail(f, 1 << 20), 10, LineTail.OnReset.CLEAR_UNLESS_EMPTY,
                Optional::of);
        append(f, "one\ntwo\n");
        tail.poll();

        replace(f, "");
        assertTrue(tail.poll().changed());
        assertEquals(List.of("one", "two"), tail.lines(), "the pane does not go blank");
        append(f, "three\n");
        tail.poll();
        assertEquals(List.of("one", "two", "three"), tail.lines());

        replace(f, "fresh\n");
        tail.poll();
        assertEquals(List.of("fresh"), tail.lines(), "a file replaced with lines starts over");
    }
}
