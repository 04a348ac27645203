package dev.relay.relay;

import dev.relay.anthropic.CacheTtl;
import dev.relay.anthropic.CoordinatorReply;
import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.config.Price;
import dev.relay.config.Settings;
import dev.relay.conversation.ConversationStore;
import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The coordinator's side of a turn as values: the request to make (a reply, or first a summary of a history over
 * its cap), the usage and cost of an answer, the compacted history, and whether a reply asks for the operator.
 */
final class Turns {
    /** A reply request and the cache lifetime chosen for its history. */
    record Planned(CoordinatorRequest request, CacheTtl ttl) {}

    /** The history after a summary, and how many turns the summary replaced. */
    record Compaction(List<Turn> turns, int replaced) {}

    private Turns() {}

    static boolean needsSummary(Settings settings, ConversationStore conversation) {
        return conversation.chars() > settings.historyCharCap() && conversation.turns().size() > settings.keepRecentTurns() + 1;
    }

    static Planned replyRequest(Settings settings, ConversationStore conversation, CachePlanner cachePlanner, Price price) {
        List<Turn> turns = conversation.turns();
        List<String> texts = conversation.promptTexts();
        List<CoordinatorRequest.Message> messages = new ArrayList<>(turns.size());
        for (int i = 0; i < turns.size(); i++) {
            messages.add(new CoordinatorRequest.Message(turns.get(i).role() == Turn.Role.ASSISTANT
                    ? CoordinatorRequest.Role.ASSISTANT : CoordinatorRequest.Role.USER, texts.get(i)));
        }
        long fresh = texts.isEmpty() ? 0 : texts.get(texts.size() - 1).length();
        long cached = conversation.chars() - fresh;
        CacheTtl ttl = settings.cacheHistory()
                ? cachePlanner.choose(price, (cached + settings.systemPrompt().length()) / 4, fresh / 4)
                : CacheTtl.NONE;
        return new Planned(new CoordinatorRequest(settings.model(), settings.maxTokens(), settings.systemPrompt(), messages, ttl),
                ttl);
    }

    static CoordinatorRequest summaryRequest(Settings settings, List<Turn> turns) {
        int keep = Math.max(1, settings.keepRecentTurns());
        StringBuilder transcript = new StringBuilder();
        for (Turn t : turns.subList(0, turns.size() - keep)) {
            transcript.append(t.role() == Turn.Role.ASSISTANT ? "[coordinator] " : "").append(t.promptText()).append("\n\n");
        }
        return new CoordinatorRequest(settings.model(), Math.min(settings.maxTokens(), 4096), settings.summarizationPrompt(),
                List.of(new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, transcript.toString())), CacheTtl.NONE);
    }

    /** The summary followed by the most recent turns; the summary carries the usage of the turns it replaces. */
    static Compaction compact(List<Turn> turns, int keepRecentTurns, String summary, Usage usage, Instant now) {
        int keep = Math.max(1, keepRecentTurns);
        List<Turn> old = turns.subList(0, turns.size() - keep);
        Usage carried = usage;
        for (Turn t : old) {
            carried = carried.plus(t.usage());
        }
        List<Turn> compacted = new ArrayList<>();
        compacted.add(new Turn(Turn.Role.SUMMARY, "", summary, "", now, carried));
        compacted.addAll(turns.subList(turns.size() - keep, turns.size()));
        return new Compaction(compacted, old.size());
    }

    static Usage usageOf(CoordinatorReply reply, Price price) {
        var u = reply.usage();
        return new Usage(u.inputTokens(), u.outputTokens(), u.cacheCreationTokens(), u.cacheReadTokens(),
                u.cacheCreation5m(), u.cacheCreation1h(), CachePlanner.cost(u, price));
    }

    /** Whether the reply asks for the operator: the token within its first characters. */
    static boolean needsJc(Settings settings, String reply) {
        String head = reply.strip();
        head = head.substring(0, Math.min(head.length(), settings.needsJcScanChars()));
        return head.contains(settings.needsJcToken());
    }
}
