package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's table of console keys stays true to the key table. */
class ReadmeKeysTest {
    private static List<KeyBinding> concat(List<KeyBinding> a, List<KeyBinding> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    @Test
    void the_readme_names_every_key_of_the_console_footer() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (KeyBinding b : KeyTables.table(ConsoleMode.NORMAL)) {
            if (b.footer()) {
                assertTrue(readme.contains("`" + b.key().label() + "`"), "README.md does not mention key " + b.key().label());
            }
        }
        for (KeyBinding b : concat(KeyTables.table(ConsoleMode.EDIT_OVERRIDE), KeyTables.table(ConsoleMode.INBOX))) {
            if (b.footer()) {
                assertTrue(readme.contains("`" + b.key().label() + "`"), "README.md does not mention key " + b.key().label());
            }
        }
    }
}
