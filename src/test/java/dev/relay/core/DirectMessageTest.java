package dev.relay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DirectMessageTest {
    private static Optional<DirectMessage> parse(String text) {
        return DirectMessage.parse(text);
    }

    @Test
    void a_text_starting_with_a_session_and_a_colon_goes_to_that_session_stripped() {
        assertEquals(Optional.of(new DirectMessage(SessionId.of("backend"), "rebase on main\nthen test")),
                parse("@backend:  rebase on main\nthen test\n"));
        assertEquals(Optional.of(new DirectMessage(SessionId.of("s-1_x"), "")), parse("@s-1_x:"));
        assertEquals("@backend: rebase", DirectMessage.format(SessionId.of("backend"), "rebase"));
        assertEquals("@backend: rebase", parse("@backend:rebase").orElseThrow().text());
    }

    @Test
    void anything_else_is_for_the_coordinator_although_a_colon_follows_an_at() {
        // each of these was shown by the console as a message straight to a session, which the relay never sent so
        for (String text : new String[] {"@not a session: hi", "@backend : hi", " @backend: hi", "@bad.name: hi",
                "@-x: hi", "@backend hi: there", "@" + "a".repeat(65) + ": hi", "hi @backend: there", "@: hi"}) {
            assertEquals(Optional.empty(), parse(text), text);
        }
    }
}
