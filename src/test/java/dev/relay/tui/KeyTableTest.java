package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyTableTest {
    static List<String> duplicates(List<KeyBinding> table) {
        Set<Key> seen = new HashSet<>();
        List<String> dup = new ArrayList<>();
        for (KeyBinding b : table) {
            if (!seen.add(b.key())) {
                dup.add(b.key().label() + " (" + b.name() + ")");
            }
        }
        return dup;
    }

    @Test
    void no_key_is_bound_twice_in_any_mode() {
        for (ConsoleMode mode : ConsoleMode.values()) {
            assertEquals(List.of(), duplicates(KeyTables.table(mode)), "keys bound twice in " + mode);
        }
    }

    @Test
    void the_duplicate_check_does_find_a_key_bound_twice() {
        List<KeyBinding> twice = new ArrayList<>(KeyTables.table(ConsoleMode.NORMAL));
        twice.add(new KeyBinding(Key.ch('p'), "Print", "prints", true, c -> { }));
        assertEquals(List.of("p (Print)"), duplicates(twice));
    }

    @Test
    void every_binding_has_a_name_and_a_help_text_and_the_main_keys_are_in_the_footer() {
        for (ConsoleMode mode : ConsoleMode.values()) {
            for (KeyBinding b : KeyTables.table(mode)) {
                assertFalse(b.name().isBlank(), b.key().label());
                assertFalse(b.help().isBlank(), b.key().label());
            }
        }
        List<String> footer = KeyTables.table(ConsoleMode.NORMAL).stream()
                .filter(KeyBinding::footer).map(b -> b.key().label()).toList();
        assertEquals(List.of("o", "p", "r", "a", "i", "?", "q"), footer);
    }

    @Test
    void keys_from_the_terminal_match_the_table_keys() {
        assertEquals(Key.ch('o'), Key.from(new KeyStroke('o', false, false)));
        assertEquals(Key.ctrl('c'), Key.from(new KeyStroke('c', true, false)));
        assertEquals(Key.of(KeyType.ReverseTab), Key.from(new KeyStroke(KeyType.ReverseTab)));
        assertEquals(Key.alt(KeyType.Enter), Key.from(new KeyStroke(KeyType.Enter, false, true)));
        assertEquals(Key.alt(KeyType.Enter), Key.from(new KeyStroke('\r', false, true)), "ESC CR from a terminal");
        assertEquals(Key.alt(KeyType.Enter), Key.from(new KeyStroke('j', true, true)), "ESC LF, as tmux sends M-Enter");
        assertTrue(!Key.of(KeyType.Enter).equals(Key.alt(KeyType.Enter)));
        assertEquals("Shift-Tab", Key.of(KeyType.ReverseTab).label());
        assertEquals("Ctrl-C", Key.ctrl('c').label());
    }
}
