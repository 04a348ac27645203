package dev.relay.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalSize;
import org.junit.jupiter.api.Test;

class LayoutTest {
    @Test
    void a_wide_screen_puts_the_conversation_and_the_logs_side_by_side() {
        Layout l = Layout.of(new TerminalSize(200, 50));
        assertEquals(new Rect(0, 0, 124, 20), l.queue());
        assertEquals(new Rect(124, 0, 76, 20), l.status());
        assertEquals(new Rect(0, 20, 120, 29), l.conversation());
        assertEquals(new Rect(120, 20, 80, 29), l.logs());
        assertEquals(new Rect(0, 49, 200, 1), l.footer());
    }

    @Test
    void a_narrow_screen_stacks_them() {
        Layout l = Layout.of(new TerminalSize(80, 24));
        assertEquals(new Rect(0, 0, 40, 9), l.queue());
        assertEquals(new Rect(40, 0, 40, 9), l.status());
        assertEquals(new Rect(0, 9, 80, 8), l.conversation());
        assertEquals(new Rect(0, 17, 80, 6), l.logs());
        assertEquals(new Rect(0, 17, 80, 5), l.agent(), "attached: the last row is the input line");
        assertEquals(22, l.agentInputRow());
    }

    @Test
    void a_tiny_screen_leaves_the_lower_panes_out() {
        Layout l = Layout.of(new TerminalSize(20, 10));
        assertTrue(l.status().drawable());
        assertFalse(l.queue().drawable());
        assertFalse(l.logs().drawable());
    }

    @Test
    void windows_are_centred_with_a_margin() {
        assertEquals(new Rect(18, 5, 64, 20), Rect.centered(new TerminalSize(100, 30), 64, 20));
        assertEquals(new Rect(1, 1, 78, 22), Rect.centered(new TerminalSize(80, 24), 104, 40));
        assertEquals(8, new Rect(0, 0, 10, 5).inner());
        assertEquals(3, new Rect(0, 0, 10, 5).innerHeight());
    }
}
