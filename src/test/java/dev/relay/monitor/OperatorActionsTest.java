package dev.relay.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorActionsTest {
    @TempDir
    Path dir;

    /** Busy for its first {@code busyTimes} overrides, then takes them; records every attempt. */
    private static final class Recording implements OperatorActions {
        final List<String> attempts = new ArrayList<>();
        final List<String> taken = new ArrayList<>();
        int busyTimes;
        RuntimeException refusal;

        @Override
        public void override(String text) {
            attempts.add(text);
            if (refusal != null) {
                throw refusal;
            }
            if (attempts.size() <= busyTimes) {
                throw new Busy("an earlier override is still waiting");
            }
            taken.add(text);
        }

        @Override
        public void pause() {}

        @Override
        public void resume() {}
    }

    @Test
    void an_override_with_patience_waits_for_the_earlier_one_to_be_taken() throws Exception {
        Recording actions = new Recording();
        actions.busyTimes = 2;
        actions.sendTo(SessionId.of("c1"), "fix the build", Duration.ofSeconds(10));
        assertEquals(3, actions.attempts.size());
        assertEquals(List.of("@c1: fix the build"), actions.taken);
    }

    @Test
    void a_refusal_other_than_busy_is_not_tried_again() {
        Recording actions = new Recording();
        actions.refusal = new OperatorActions.Refused("the message is empty");
        OperatorActions.Refused refused = assertThrows(OperatorActions.Refused.class,
                () -> actions.override(" ", Duration.ofSeconds(10)));
        assertEquals("the message is empty", refused.getMessage());
        assertEquals(1, actions.attempts.size());
    }

    @Test
    void an_earlier_override_never_taken_is_kept_and_the_new_one_refused_as_busy() throws Exception {
        Home home = new Home(dir);
        FileOperatorActions actions = new FileOperatorActions(home);
        actions.override("first");
        OperatorActions.Busy busy = assertThrows(OperatorActions.Busy.class,
                () -> actions.override("second", Duration.ofMillis(150)));
        assertTrue(busy.getMessage().contains("an earlier override is still waiting"), busy.getMessage());
        assertEquals("first", Files.readString(home.jcInputFile()));

        Files.delete(home.jcInputFile());   // taken by the relay
        actions.override("second", Duration.ofMillis(150));
        assertEquals("second", Files.readString(home.jcInputFile()));
    }
}
