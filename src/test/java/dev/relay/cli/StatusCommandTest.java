package dev.relay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.state.Status;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusCommandTest {
    @Test
    void the_last_turn_line_names_each_report_it_answered_and_any_left_for_a_follow_up() {
        Instant at = Instant.parse("2026-12-02T12:00:00Z");
        Status.LastTurn batch = new Status.LastTurn(at.toString(), List.of(
                new Status.Report("s1", "k1", at.minusSeconds(3).toString(), true),
                new Status.Report("s2", "k2", at.minusSeconds(2).toString(), false),
                new Status.Report("s3", "k3", at.minusSeconds(1).toString(), true)));
        assertEquals("answered 3 reports together 12s ago: s1, s2, s3 (s2 not answered: a follow-up turn asks for it)",
                StatusCommand.lastTurn(batch, at.plusSeconds(12)));

        Status.LastTurn single = new Status.LastTurn("not a time", List.of(new Status.Report("web", "k", null, true)));
        assertEquals("answered 1 report: web", StatusCommand.lastTurn(single, at));
    }
}
