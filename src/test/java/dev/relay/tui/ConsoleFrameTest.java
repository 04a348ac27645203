package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.relay.monitor.HomeSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole frames: a fixed home on a fixed clock, some keys, one frame drawn on lanterna's virtual terminal and compared
 * with the expected screen under src/test/resources/dev/relay/tui/frames/ (trailing blanks cut, the cursor last).
 */
class ConsoleFrameTest {
    record Scenario(String name, HomeSnapshot home, int columns, int rows, boolean inProcess, boolean failing,
                    List<KeyStroke> keys) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Scenario at(String name, HomeSnapshot home, int columns, int rows, Object... keys) {
        return new Scenario(name, home, columns, rows, true, false, strokes(keys));
    }

    private static List<KeyStroke> strokes(Object... keys) {
        List<KeyStroke> out = new ArrayList<>();
        for (Object k : keys) {
            if (k instanceof String s) {
                s.chars().forEach(c -> out.add(new KeyStroke((char) c, false, false)));
            } else if (k instanceof KeyType t) {
                out.add(new KeyStroke(t));
            } else {
                out.add((KeyStroke) k);
            }
        }
        return out;
    }

    static Stream<Scenario> scenarios() {
        HomeSnapshot busy = Fixtures.busy();
        return Stream.of(
                at("wide", busy, 200, 50),
                at("narrow", busy, 80, 24),
                at("medium", busy, 120, 40),
                at("help", busy, 120, 40, "?"),
                at("help-scrolled", busy, 100, 24, "?", KeyType.ArrowDown, KeyType.ArrowDown, KeyType.PageDown,
                        KeyType.PageDown, KeyType.ArrowUp),
                at("confirm-quit", busy, 100, 30, "q"),
                new Scenario("confirm-quit-daemon", busy, 100, 30, false, false, strokes("q")),
                at("picker", busy, 100, 30, "a", KeyType.ArrowDown, KeyType.ArrowDown),
                at("editor", busy, 100, 30, "o", "Stop the refactor.", new KeyStroke(KeyType.Enter, false, true),
                        "Fix the build", KeyType.ArrowLeft),
                at("editor-sessions", busy, 100, 30, "o", KeyType.Tab),
                at("editor-direct", busy, 100, 30, "o", "@ba", KeyType.Tab, "rebase on main"),
                at("agent-chat", busy, 100, 30, "a", KeyType.ArrowDown, KeyType.Enter, "please add a logout button"),
                at("agent-chat-help", busy, 100, 30, "a", KeyType.ArrowDown, KeyType.Enter, "?"),
                at("container-agent", Fixtures.containerAgent(), 100, 30, "a", KeyType.ArrowUp, KeyType.Enter),
                at("paused", Fixtures.paused(), 120, 40),
                at("error", Fixtures.error(), 120, 40),
                at("needs-jc", Fixtures.needsJc(), 120, 40),
                at("needs-jc-wide", Fixtures.needsJc(), 200, 50),
                new Scenario("stopped-daemon", Fixtures.nothing(), 80, 24, false, false, List.of()),
                at("scrolled-to-top", busy, 80, 24, KeyType.Home),
                at("logs-focused-paged", busy, 80, 24, KeyType.Tab, KeyType.PageUp),
                at("flash-after-pause", busy, 100, 30, "p"),
                new Scenario("action-failed", busy, 100, 30, true, true, strokes("o", "hi", KeyType.Enter)),
                new Scenario("action-refused", busy, 100, 30, true, true, strokes("p")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void the_frame_is_the_expected_screen(Scenario scenario) throws IOException {
        String drawn = frame(scenario);
        Path out = Path.of("target/frames", scenario.name() + ".txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, drawn);
        assertEquals(expected(scenario.name()), drawn, "frame " + scenario.name() + " (drawn into " + out + ")");
    }

    static String expected(String name) throws IOException {
        try (InputStream in = ConsoleFrameTest.class.getResourceAsStream("frames/" + name + ".txt")) {
            if (in == null) {
                throw new AssertionError("no expected frame frames/" + name + ".txt");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** One frame of the console after the scenario's keys, as text. */
    static String frame(Scenario sc) throws IOException {
        DefaultVirtualTerminal terminal = new DefaultVirtualTerminal(new TerminalSize(sc.columns(), sc.rows()));
        TerminalScreen screen = new TerminalScreen(terminal);
        screen.startScreen();
        ConsoleController c = new ConsoleController(sc.failing() ? new Fixtures.Failing() : new Fixtures.Actions(),
                sc::home, Fixtures.CLOCK, sc.inProcess() ? ConsoleHost.IN_PROCESS : ConsoleHost.ATTACHED_TO_DAEMON,
                () -> { }, a -> { });
        TerminalSize size = screen.getTerminalSize();
        c.layOut(sc.home(), size, Fixtures.NOW);
        for (KeyStroke k : sc.keys()) {
            c.handle(k);
        }
        ConsoleView view = c.view(sc.home(), size, Fixtures.NOW);
        ConsoleRenderer.draw(screen.newTextGraphics(), view);
        TerminalPosition cursor = view.cursor().orElse(null);
        screen.setCursorPosition(cursor);
        screen.refresh(Screen.RefreshType.COMPLETE);
        return text(terminal, cursor);
    }

    static String text(DefaultVirtualTerminal terminal, TerminalPosition cursor) {
        TerminalSize size = terminal.getTerminalSize();
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < size.getRows(); r++) {
            StringBuilder row = new StringBuilder();
            for (int c = 0; c < size.getColumns(); c++) {
                TextCharacter ch = terminal.getCharacter(c, r);
                row.append(ch == null ? " " : ch.getCharacterString());
            }
            b.append(row.toString().stripTrailing()).append('\n');
        }
        b.append(cursor == null ? "cursor: hidden" : "cursor: " + cursor.getColumn() + "," + cursor.getRow()).append('\n');
        return b.toString();
    }
}
