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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailTest {
    @TempDir
    Path dir;

    private void append(Path f, String s) throws Exception {
        Files.writeString(f, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void returns_only_complete_lines_and_each_line_once() throws Exception {
        Path f = dir.resolve("log");
        Tail tail = new Tail(f, 1 << 20);
        assertTrue(tail.poll().isEmpty(), "no file yet");
        append(f, "one\ntw");
        assertEquals(List.of("one"), tail.poll().lines());
        assertTrue(tail.poll().isEmpty());
        append(f, "o\nthree\n");
        Tail.Chunk c = tail.poll();
        assertFalse(c.reset());
        assertEquals(List.of("two", "three"), c.lines());
    }

    @Test
    void a_replaced_or_truncated_file_starts_over() throws Exception {
        Path f = dir.resolve("journal");
        Tail tail = new Tail(f, 1 << 20);
        append(f, "a\nb\n");
        assertEquals(List.of("a", "b"), tail.poll().lines());

        Path fresh = dir.resolve("journal.new");
        Files.writeString(fresh, "summary\n");
        Files.move(fresh, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Tail.Chunk c = tail.poll();
        assertTrue(c.reset());
        assertEquals(List.of("summary"), c.lines());

        Files.writeString(f, "");
        assertTrue(tail.poll().reset());
        append(f, "again\n");
        assertEquals(List.of("again"), tail.poll().lines());
    }

    @Test
    void a_large_file_is_read_from_its_end_without_a_cut_first_line() throws Exception {
        Path f = dir.resolve("big");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            b.append("line ").append(i).append('\n');
        }
        Files.writeString(f, b.toString());
        Tail tail = new Tail(f, 1000);
        List<String> lines = tail.poll().lines();
        assertEquals("line 9999", lines.get(lines.size() - 1));
        assertTrue(lines.size() < 150, "only the end was read: " + lines.size());
        assertTrue(lines.get(0).matches("line \\d+"), "the first line is whole: " + lines.get(0));
    }

    @Test
    void skipping_to_the_end_returns_only_lines_written_after() throws Exception {
        Path f = dir.resolve("log");
        append(f, "old\n");
        Tail tail = new Tail(f, 1 << 20);
        tail.skipToEnd();
        assertTrue(tail.poll().isEmpty());
        append(f, "new\n");
        assertEquals(List.of("new"), tail.poll().lines(), "the first line after the end is whole, not dropped");

        Path absent = dir.resolve("later");
        Tail later = new Tail(absent, 1 << 20);
        later.skipToEnd();
        append(absent, "first\n");
        assertEquals(List.of("first"), later.poll().lines(), "a file that appears later is read from its start");
    }
}
