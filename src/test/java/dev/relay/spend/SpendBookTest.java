package dev.relay.spend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpendBookTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @TempDir
    Path dir;

    private static Turn reply(String key, String at, double cost, long read) {
        return Turn.assistant("ok", key, Instant.parse(at), new Usage(100, 10, 0, read, 0, 0, cost));
    }

    @Test
    void a_turn_counts_on_its_local_day_once_and_the_cache_share_is_the_days() {
        SpendBook book = SpendBook.open(dir.resolve("spend.json"), PARIS);
        assertTrue(book.countTurn(reply("k1", "2026-12-03T22:59:00Z", 0.5, 900), Map.of("a", 0.5), Optional.of("messages_changed")));
        assertFalse(book.countTurn(reply("k1", "2026-12-03T22:59:00Z", 0.5, 900), Map.of("a", 0.5), Optional.empty()),
                "a turn seen again is not counted again");
        assertTrue(book.countTurn(reply("k2", "2026-12-03T23:00:00Z", 0.25, 0), Map.of("a", 0.25), Optional.empty()));
        SpendBook.Day third = book.day(Instant.parse("2026-12-03T12:00:00Z"));
        SpendBook.Day fourth = book.day(Instant.parse("2026-12-03T23:30:00Z"));
        assertEquals(LocalDate.of(2026, 12, 4), fourth.date(), "midnight in Paris is 23:00 UTC");
        assertEquals(0.5, third.line("a").coordinatorUsd(), 1e-12);
        assertEquals(0.25, fourth.totalUsd(), 1e-12);
        assertEquals(0.9, third.tokens().cacheHitShare().getAsDouble(), 1e-12);
        assertEquals(Map.of("messages_changed", 1), third.cacheMisses());
        assertEquals(List.of(LocalDate.of(2026, 12, 4), LocalDate.of(2026, 12, 3)),
                book.recent(7).stream().map(SpendBook.Day::date).toList());
    }

    @Test
    void turns_a_crash_kept_out_of_the_book_are_counted_from_the_journal_at_the_next_start() {
        Path file = dir.resolve("spend.json");
        SpendBook book = SpendBook.open(file, PARIS);
        Turn one = reply("k1", "2026-12-03T10:00:00Z", 1, 0);
        Turn two = reply("k2", "2026-12-03T10:01:00Z", 2, 0);
        book.countTurn(one, Map.of("a", 1.0), Optional.empty());
        book.flush();   // then the relay dies after answering k2, before the next flush

        SpendBook again = SpendBook.open(file, PARIS);
        Turn user = Turn.user("a", "x", "k3", Instant.parse("2026-12-03T10:02:00Z"));
        assertEquals(1, again.reconcile(List.of(one, two, user), t -> Map.of("a", t.usage().costUsd())));
        assertEquals(3.0, again.day(Instant.parse("2026-12-03T10:00:00Z")).line("a").coordinatorUsd(), 1e-12);
        assertEquals(0, again.reconcile(List.of(one, two), t -> Map.of("a", t.usage().costUsd())), "counted once");
    }

    @Test
    void an_agents_result_counts_its_own_increment_and_a_result_read_twice_counts_once() {
        SpendBook book = SpendBook.open(dir.resolve("spend.json"), PARIS);
        Instant at = Instant.parse("2026-12-03T10:00:00Z");
        assertTrue(book.countAgent("web", Optional.of("sdk-1"), 0.30, 0.30, at));
        assertTrue(book.countAgent("web", Optional.of("sdk-1"), 0.20, 0.50, at));
        assertFalse(book.countAgent("web", Optional.of("sdk-1"), 0.20, 0.50, at), "the same running total again");
        SpendBook.Line web = book.day(at).line("web");
        assertEquals(0.50, web.agentUsd(), 1e-12);
        assertEquals(2, web.agentResults());
        assertEquals(0.50, book.agentTotal("web", "sdk-1").getAsDouble(), 1e-12);
        assertTrue(book.agentTotal("web", "sdk-2").isEmpty(), "another SDK session starts from nothing");
    }

    @Test
    void raised_limits_and_passes_lapse_with_their_day_and_the_book_survives_a_restart() {
        Path file = dir.resolve("spend.json");
        SpendBook book = SpendBook.open(file, PARIS);
        LocalDate third = LocalDate.of(2026, 12, 3);
        book.raise("session:a", 5, third);
        book.grantOnce("total", third);
        book.flush();
        SpendBook again = SpendBook.open(file, PARIS);
        assertEquals(Optional.of(5.0), again.raised("session:a", third));
        assertEquals(1, again.onceLeft("total", third));
        assertTrue(again.useOnce("total", third));
        assertFalse(again.useOnce("total", third));
        assertEquals(Optional.empty(), again.raised("session:a", third.plusDays(1)), "a new day: the raise lapsed");
    }

    @Test
    void a_damaged_book_is_moved_aside_and_said_so() throws Exception {
        Path file = dir.resolve("spend.json");
        Files.writeString(file, "{not json");
        SpendBook book = SpendBook.open(file, PARIS);
        assertTrue(book.damage().orElseThrow().contains("moved to spend.json.damaged-"), book.damage().toString());
        assertFalse(Files.exists(file));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("spend.json.damaged-")).count());
        }
    }
}
