package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void escape_sequences_and_control_characters_are_made_harmless() {
        assertEquals("red text", Text.safe("\u001B[31mred\u001B[0m text"));
        assertEquals("title", Text.safe("\u001B]0;owned\u0007title"));
        assertEquals("a·b    c", Text.safe("a\u0007b\tc"));
        assertEquals("x·y", Text.safe("x\u009By"));
        assertEquals("plain", Text.safe("plain"));
    }

    @Test
    void wraps_on_words_and_breaks_words_longer_than_a_line() {
        assertEquals(List.of("the quick", "brown fox"), Text.wrap("the quick brown fox", 10));
        assertEquals(List.of("abcdefghij", "klm"), Text.wrap("abcdefghijklm", 10));
        assertEquals(List.of("one", "", "two"), Text.wrapText("one\n\ntwo\n", 10));
        for (String line : Text.wrap("word ".repeat(200), 37)) {
            assertTrue(Text.columns(line) <= 37, line);
        }
    }

    @Test
    void fits_to_columns_with_an_ellipsis_counting_wide_characters_as_two() {
        assertEquals("hello", Text.fit("hello", 5));
        assertEquals("hel…", Text.fit("hello", 4));
        assertEquals("日本…", Text.fit("日本語テキスト", 6));
        assertTrue(Text.columns(Text.fit("日本語テキスト", 6)) <= 6);
    }

    @Test
    void ages_sizes_and_counts_are_short() {
        assertEquals("59s", Text.age(Duration.ofSeconds(59)));
        assertEquals("2m", Text.age(Duration.ofSeconds(150)));
        assertEquals("3h", Text.age(Duration.ofHours(3)));
        assertEquals("1.5K", Text.bytes(1536));
        assertEquals("12.3k", Text.count(12_345));
    }

    @Test
    void log_lines_are_shown_with_the_time_and_the_level_only_when_it_matters() {
        assertEquals("07:46:50 relay started", Panes.compact("2026-11-23T07:46:50.410Z INFO  [main] RelayLoop: relay started"));
        assertEquals("07:46:51 WARN rejected x.json: not JSON",
                Panes.compact("2026-11-23T07:46:51.002+01:00 WARN  [relay-loop] RelayLoop: rejected x.json: not JSON"));
        assertEquals("\tat dev.relay.X", Panes.compact("\tat dev.relay.X"));
    }

    @Test
    void the_editor_completes_only_the_first_at_word() {
        TextEditor e = new TextEditor();
        e.setText("@ba");
        assertEquals("ba", e.sessionPrefix().orElseThrow());
        e.replaceFirstWord("@backend: ");
        assertEquals("@backend: ", e.text());
        e.insert("go");
        assertTrue(e.sessionPrefix().isEmpty(), "the cursor left the first word");
        e.setText("hello @ba");
        assertTrue(e.sessionPrefix().isEmpty());
        e.setText("@old: text");
        e.home();
        e.right();
        e.replaceFirstWord("@new: ");
        assertEquals("@new: text", e.text());
    }
}
