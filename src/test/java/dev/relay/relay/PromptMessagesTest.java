package dev.relay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.anthropic.CoordinatorRequest.Message;
import dev.relay.anthropic.CoordinatorRequest.Role;
import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptMessagesTest {
    private static final Instant AT = Instant.parse("2026-12-02T10:00:00Z");
    private final PromptMessages prompt = new PromptMessages();

    private List<Message> of(List<Turn> turns) {
        return prompt.of(turns, turns.stream().map(Turn::promptText).toList());
    }

    private static Turn user(String text) {
        return Turn.user("s1", text, "k-" + text, AT);
    }

    private static Turn reply(String text) {
        return Turn.assistant(text, "k-" + text, AT, Usage.NONE);
    }

    @Test
    void a_turn_already_asked_for_is_the_same_message_and_only_new_turns_are_built() {
        List<Turn> turns = new ArrayList<>(List.of(user("one"), reply("r1"), user("two")));
        List<Message> first = of(turns);
        turns.add(reply("r2"));
        turns.add(user("three"));
        List<Message> second = of(turns);

        assertEquals(5, second.size());
        assertSame(first.get(0), second.get(0));
        assertSame(first.get(1), second.get(1));
        assertEquals(List.of("[session s1] one", "r1", "[session s1] two", "r2", "[session s1] three"), second.stream().map(Message::text).toList());
        assertEquals(Role.ASSISTANT, second.get(3).role());
    }

    @Test
    void a_batched_reply_gets_its_results_in_the_user_turn_that_follows_once_there_is_one() {
        Turn answers = Turn.answers("k-batch", AT, Usage.NONE, List.of(
                new Turn.Answer("toolu_1", "s1", "go on", true), new Turn.Answer("toolu_2", "zz", "stray", false)));
        List<Turn> turns = new ArrayList<>(List.of(user("batch"), answers));
        List<Message> last = of(turns);
        // the reply is last: its results stand alone in a user message after it
        assertEquals(3, last.size());
        assertEquals(2, last.get(1).calls().size());
        assertEquals(Role.USER, last.get(2).role());
        assertEquals(List.of("sent to session s1", "not sent: \"zz\" is not one of the sessions whose reports that turn gave"),
                last.get(2).results().stream().map(r -> r.content()).toList());
        assertTrue(prompt.toolUse());

        turns.add(user("next report"));
        List<Message> next = of(turns);
        // now the next user turn carries them, first, and there is no message of results alone
        assertEquals(3, next.size());
        assertEquals("[session s1] next report", next.get(2).text());
        assertEquals(2, next.get(2).results().size());
        assertEquals("toolu_1", next.get(2).results().get(0).toolUseId());
    }

    @Test
    void a_summary_replaces_the_turns_and_their_messages() {
        Turn answers = Turn.answers("k-batch", AT, Usage.NONE, List.of(new Turn.Answer("toolu_1", "s1", "go on", true)));
        List<Message> before = of(List.of(user("one"), answers, user("two")));
        assertTrue(prompt.toolUse());

        Turn summary = Turn.summary("what happened so far", AT);
        List<Message> after = of(List.of(summary, user("two"), reply("r2")));

        assertEquals(3, after.size());
        assertTrue(after.get(0).text().contains("what happened so far"));
        assertNotSame(before.get(0), after.get(0));
        assertTrue(after.get(1).results().isEmpty(), "no tool results once the reply they answered is summarized");
        assertFalse(prompt.toolUse());
    }
}
