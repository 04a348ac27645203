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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

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

    /**
     * The request for the open turn's reply. Once batching is on (or the history holds a batched reply) every reply
     * request offers the reply tool, the same definition each time, and a batched turn ({@code batch}) requires it:
     * the tools stay the same from request to request, so the cached prefix stays valid.
     */
    static Planned replyRequest(Settings settings, ConversationStore conversation, PromptMessages prompt,
                                CachePlanner cachePlanner, Price price, boolean batch) {
        List<String> texts = conversation.promptTexts();
        List<CoordinatorRequest.Message> messages = prompt.of(conversation.turns(), texts);
        CoordinatorRequest.Tools tools = batch ? CoordinatorRequest.Tools.REQUIRED
                : settings.batch().on() || prompt.toolUse() ? CoordinatorRequest.Tools.OFFERED : CoordinatorRequest.Tools.OFF;
        long fresh = texts.isEmpty() ? 0 : texts.get(texts.size() - 1).length();
        long cached = conversation.chars() - fresh;
        CacheTtl ttl = settings.cacheHistory()
                ? cachePlanner.choose(price, (cached + settings.systemPrompt().length()) / 4, fresh / 4)
                : CacheTtl.NONE;
        return new Planned(new CoordinatorRequest(settings.model(), settings.maxTokens(), settings.systemPrompt(), messages, ttl,
                tools), ttl);
    }

    /**
     * A batched reply's tool calls as answers: a call for a session of the batch is delivered; one naming any other
     * session, or with no text, is recorded (the API needs each call answered) and never sent.
     */
    static List<Turn.Answer> answers(WorkItem batch, List<CoordinatorRequest.ToolCall> calls) {
        Set<String> sessions = new HashSet<>();
        batch.members().forEach(m -> sessions.add(m.speaker()));
        List<Turn.Answer> answers = new ArrayList<>();
        for (CoordinatorRequest.ToolCall c : calls) {
            answers.add(new Turn.Answer(c.id(), c.session(), c.text(), sessions.contains(c.session()) && !c.text().isBlank()));
        }
        return answers;
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

    /**
     * The summary followed by the most recent turns; the summary carries the usage of the turns it replaces, and
     * what they were charged to ({@code chargesOf}), with its own call charged to the summaries.
     */
    static Compaction compact(List<Turn> turns, int keepRecentTurns, String summary, Usage usage, Instant now,
                              Function<Turn, Map<String, Double>> chargesOf) {
        int keep = Math.max(1, keepRecentTurns);
        List<Turn> old = turns.subList(0, turns.size() - keep);
        Usage carried = usage;
        Map<String, Double> charges = new TreeMap<>();
        if (usage.costUsd() != 0) {
            charges.put(Turn.SUMMARY_CHARGE, usage.costUsd());
        }
        for (Turn t : old) {
            carried = carried.plus(t.usage());
            if (t.role() != Turn.Role.USER) {
                chargesOf.apply(t).forEach((who, cost) -> charges.merge(who, cost, Double::sum));
            }
        }
        List<Turn> compacted = new ArrayList<>();
        compacted.add(new Turn(Turn.Role.SUMMARY, "", summary, "", now, carried).chargedTo(charges));
        compacted.addAll(turns.subList(turns.size() - keep, turns.size()));
        return new Compaction(compacted, old.size());
    }

    /** The usage of an answer, priced; unpriced (no cost, and said so) when the model has no price. */
    static Usage usageOf(CoordinatorReply reply, Optional<Price> price) {
        var u = reply.usage();
        Usage usage = new Usage(u.inputTokens(), u.outputTokens(), u.cacheCreationTokens(), u.cacheReadTokens(),
                u.cacheCreation5m(), u.cacheCreation1h(), 0);
        return price.map(p -> usage.withCost(CachePlanner.cost(u, p))).orElseGet(usage::asUnpriced);
    }

    /**
     * The price the cache planner weighs lifetimes with when the model has none: the default model's (only the ratios
     * between its rates matter to the choice). Never used for a cost.
     */
    static Price planningPrice(Settings settings) {
        return settings.prices().forModel(Settings.DEFAULT_MODEL).orElse(new Price(3, 15, 3.75, 6, 0.3));
    }

    /** Whom a reply to {@code item} costing {@code cost} is charged to: a batch's sessions in equal parts. */
    static Map<String, Double> charges(WorkItem item, double cost) {
        if (cost == 0) {
            return Map.of();
        }
        if (item.isBatch()) {
            Map<String, Double> split = new TreeMap<>();
            item.members().forEach(m -> split.merge(m.speaker(), cost / item.members().size(), Double::sum));
            return split;
        }
        String who = item.speaker().equals(Turn.RELAY) ? item.replyTo().map(s -> s.value()).orElse(Turn.RELAY) : item.speaker();
        return Map.of(who, cost);
    }

    /** Whether the reply asks for the operator: the token within its first characters. */
    static boolean needsJc(Settings settings, String reply) {
        String head = reply.strip();
        head = head.substring(0, Math.min(head.length(), settings.needsJcScanChars()));
        return head.contains(settings.needsJcToken());
    }
}
