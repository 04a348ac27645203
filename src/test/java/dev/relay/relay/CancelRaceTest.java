package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.LoopHarness;
import dev.relay.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A message cancelled at the very moment its turn begins is never answered (the loop's half of relay cancel's race). */
class CancelRaceTest {
    @TempDir
    Path dir;

    LoopHarness relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void an_envelope_edited_as_its_user_turn_is_recorded_is_answered_with_its_new_text_only() throws Exception {
        relay = new LoopHarness(dir, new ManualClock(Instant.parse("2026-12-03T10:00:00Z")));
        RelayLoop loop = relay.build();
        Path envelope = relay.send("s1", "old text");
        java.util.concurrent.atomic.AtomicBoolean edited = new java.util.concurrent.atomic.AtomicBoolean();
        loop.injectFaults((step, key) -> {
            if (step == TurnStep.USER_RECORDED && edited.compareAndSet(false, true)) {
                try {   // `relay edit` replaces the text after the loop read it, before the append
                    Files.writeString(envelope, "{\"session_id\":\"s1\",\"content\":\"new text\"}");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        loop.startStepping();
        loop.stepOnce();
        assertEquals(0, relay.coordinator.requests.size(), "the turn on the old text is given up");
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(1, relay.coordinator.requests.size());
        String asked = relay.coordinator.requests.get(0).messages().toString();
        assertTrue(asked.contains("new text"), asked);
        assertEquals(Optional.of("reply to: [session s1] new text"), relay.input("s1"));
    }

    @Test
    void an_envelope_moved_aside_as_its_user_turn_is_recorded_gets_no_call_and_no_reply() {
        relay = new LoopHarness(dir, new ManualClock(Instant.parse("2026-12-03T10:00:00Z")));
        RelayLoop loop = relay.build();
        Path envelope = relay.send("s1", "cancel me just in time");
        Path aside = dir.resolve("queue/.cancelled").resolve(envelope.getFileName());
        loop.injectFaults((step, key) -> {
            if (step == TurnStep.USER_RECORDED) {   // `relay cancel` renames it after the loop read it, before the append
                try {
                    Files.createDirectories(aside.getParent());
                    Files.move(envelope, aside);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        loop.startStepping();
        loop.stepOnce();
        loop.stepOnce();
        assertEquals(0, relay.coordinator.requests.size(), "no call for a cancelled message");
        assertEquals(Optional.empty(), relay.input("s1"));
        assertTrue(Files.exists(aside));
        assertTrue(relay.status().lastError().contains("was cancelled or changed as its turn began"), relay.status().lastError());
    }
}
